/**
 * The bench's Coccinelle figure (`bench/coccinelle-ratio.ts`): the goal is judged on the drivers spatch
 * finished, never on a run stopped at the cap, whose time is only a lower bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coccinelleRatios } from '../bench/coccinelle-ratio.js';

const run = (ms: number, capped = false, failed = false) => ({ ms, capped, failed });

test('a driver stopped at the cap counts in the lower bound only', () => {
  // Without the capped driver spatch is as fast as the scan (1.0); with it at the cap, 21 times.
  const r = coccinelleRatios([run(300), run(120_000, true), run(700)], [[250, 4_750, 750]]);
  assert.equal(r.finishedDrivers, 2);
  assert.equal(r.finished, 1);
  assert.equal(r.lowerBound, 121_000 / 5_750);
});

test('a run that exited non-zero is left out of the judged figure', () => {
  const r = coccinelleRatios([run(900), run(5, false, true)], [[300, 200]]);
  assert.equal(r.finishedDrivers, 1);
  assert.equal(r.finished, 3);
  assert.equal(r.lowerBound, 905 / 500);
});

test('the cold side is the median over the rounds of the sum over the same drivers', () => {
  const r = coccinelleRatios(
    [run(600), run(60_000, true)],
    [
      [100, 1_000],
      [300, 1],
      [200, 5],
    ],
  );
  // Finished driver: cold 100, 300, 200 → median 200; spatch 600.
  assert.equal(r.finished, 3);
  // Every driver: sums 1,100, 301, 205 → median 301.
  assert.equal(r.lowerBound, 60_600 / 301);
});

test('no driver finished: no judged figure, and mismatched rounds are an error', () => {
  assert.equal(coccinelleRatios([run(60_000, true)], [[10]]).finished, undefined);
  assert.equal(coccinelleRatios([run(60_000, true)], [[10]]).finishedDrivers, 0);
  assert.throws(() => coccinelleRatios([run(1)], [[1, 2]]), /a round has 2 cold scans for 1 spatch runs/);
  assert.throws(() => coccinelleRatios([run(1)], []), /no round/);
});
