/** Findings against a label: true and false positives, false negatives, debatable places, ratios. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabel } from '../eval/labels.js';
import { addedFindings, precision, recall, sameFindings, scoreFindings } from '../eval/score.js';

const RULES = ['ndis/mmap-context', 'ndis/unmap-in-halt'];

function label(expected: object[], debatable: object[] = []) {
  return parseLabel({ driver: 'd', sites: [], expected, debatable }, 'test label');
}

const f = (rule: string, file: string, line: number) => ({
  rule,
  file,
  line,
  message: `${rule} at ${file}:${String(line)}`,
});

describe('scoreFindings', () => {
  it('matches by rule, file and line', () => {
    const score = scoreFindings(
      [f('ndis/unmap-in-halt', 'a.c', 10), f('ndis/unmap-in-halt', 'a.c', 11), f('ndis/mmap-context', 'b.c', 10)],
      label([
        { rule: 'ndis/unmap-in-halt', file: 'a.c', line: 10 },
        { rule: 'ndis/mmap-context', file: 'a.c', line: 10 },
      ]),
      RULES,
    );
    assert.deepEqual(
      score.truePositives.map((x) => `${x.file}:${String(x.line)}`),
      ['a.c:10'],
    );
    assert.deepEqual(
      score.falsePositives.map((x) => `${x.rule} ${x.file}:${String(x.line)}`),
      ['ndis/unmap-in-halt a.c:11', 'ndis/mmap-context b.c:10'],
    );
    assert.deepEqual(
      score.falseNegatives.map((x) => `${x.rule} ${x.file}:${String(x.line)}`),
      ['ndis/mmap-context a.c:10'],
    );
  });

  it('compares sets: one rule at one place is one finding, however many times it is listed', () => {
    const expectedTwice = label([
      { rule: 'ndis/unmap-in-halt', file: 'a.c', line: 5, site: 's1' },
      { rule: 'ndis/unmap-in-halt', file: 'a.c', line: 5, site: 's2' },
    ]);
    const twice = [f('ndis/unmap-in-halt', 'a.c', 5), f('ndis/unmap-in-halt', 'a.c', 5)];
    const score = scoreFindings(twice, expectedTwice, RULES);
    assert.deepEqual([score.truePositives.length, score.falsePositives.length, score.falseNegatives.length], [1, 0, 0]);
  });

  it('counts debatable places apart, reported or not, and ignores rules not compared', () => {
    const score = scoreFindings(
      [f('ndis/unmap-in-halt', 'a.c', 7), f('other/rule', 'a.c', 1)],
      label(
        [],
        [
          { rule: 'ndis/unmap-in-halt', file: 'a.c', line: 7, why: 'either' },
          { rule: 'ndis/mmap-context', file: 'a.c', line: 9, why: 'either' },
        ],
      ),
      RULES,
    );
    assert.equal(score.truePositives.length + score.falsePositives.length + score.falseNegatives.length, 0);
    assert.equal(score.debatableReported.length, 1);
    assert.deepEqual(
      score.debatableSilent.map((x) => x.line),
      [9],
    );
  });
});

describe('ratios', () => {
  it('precision and recall, null when there is nothing to divide', () => {
    assert.equal(precision(3, 1), 0.75);
    assert.equal(recall(1, 3), 0.25);
    assert.equal(precision(0, 0), null);
    assert.equal(recall(0, 0), null);
    assert.equal(precision(0, 2), 0);
  });
});

describe('addedFindings and sameFindings', () => {
  const k = (line: number) => ({ rule: 'r', file: 'a.c', line });
  it('is what the mutant reports at places the driver had no such finding', () => {
    assert.deepEqual(addedFindings([k(1), k(2)], [k(1), k(2), k(2), k(3), k(3)]), [k(3)]);
    assert.deepEqual(addedFindings([k(1)], []), []);
  });
  it('compares as sets', () => {
    assert.ok(sameFindings([k(1), k(2)], [k(2), k(1)]));
    assert.ok(sameFindings([k(1), k(1)], [k(1)]));
    assert.ok(!sameFindings([k(1), k(2)], [k(1)]));
    assert.ok(!sameFindings([k(1)], [{ rule: 's', file: 'a.c', line: 1 }]));
  });
});
