/**
 * The real-code bench's breakdown of the rules stage (`bench/rule-shares.ts`): each rule's median over
 * the rounds against the median of the rounds' sums, largest first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ruleShares } from '../bench/rule-shares.js';
import { median, sum } from '../bench/stats.js';

const round = (entries: Record<string, number>) => new Map(Object.entries(entries));

test('one round: each rule against the sum, largest first, ties by id', () => {
  const shares = ruleShares([round({ 'ndis/c': 25, 'ndis/a': 50, 'ndis/b': 25 })]);
  assert.deepEqual(shares, [
    ['ndis/a', 0.5],
    ['ndis/b', 0.25],
    ['ndis/c', 0.25],
  ]);
});

test('several rounds: medians, a rule missing from a round counts 0 there', () => {
  // Sums 100, 300, 200: median 200. Rule x: 40, 200, 100 (median 100); y: 60, 100, 80 (80); z: 0, 0, 20 (0).
  const shares = ruleShares([round({ x: 40, y: 60 }), round({ x: 200, y: 100 }), round({ x: 100, y: 80, z: 20 })]);
  assert.deepEqual(shares, [
    ['x', 0.5],
    ['y', 0.4],
    ['z', 0],
  ]);
});

test('nothing timed (a cached run, no rule ran): no shares, not a division by zero', () => {
  assert.deepEqual(ruleShares([]), []);
  assert.deepEqual(ruleShares([round({ x: 0 })]), []);
});

test('median and sum', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(sum([1, 2, 3.5]), 6.5);
  assert.equal(sum([]), 0);
});
