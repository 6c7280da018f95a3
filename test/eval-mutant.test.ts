/** Edits, line shifts and the kill decision. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, keepingLines, lineShifter, type Mutant, shiftFindings } from '../eval/mutant.js';
import { judge } from '../eval/mutation-run.js';

describe('edits', () => {
  it('applies non-overlapping edits, insertions at one offset in listed order', () => {
    const edits = [
      { file: 'a.c', start: 2, end: 2, text: 'X' },
      { file: 'a.c', start: 2, end: 2, text: 'Y' },
      { file: 'a.c', start: 4, end: 5, text: 'Z' },
    ];
    assert.equal(applyEdits('abcdef', edits), 'abXYcdZf');
    assert.throws(() =>
      applyEdits('abcdef', [
        { file: 'a.c', start: 1, end: 4, text: '' },
        { file: 'a.c', start: 3, end: 5, text: '' },
      ]),
    );
  });

  it('keeps line ends of a replaced statement', () => {
    assert.equal(keepingLines('f(a,\r\n  b);\n', ';'), ';\r\n\n');
  });

  it('shifts lines after an edit that adds or removes line ends', () => {
    const text = 'l1\nl2\nl3\nl4\n';
    const shift = lineShifter(text, [{ file: 'a.c', start: 3, end: 5, text: 'x\ny\nz' }]);
    assert.deepEqual([1, 2, 3, 4].map(shift), [1, 2, 5, 6]);
    const findings = shiftFindings(
      [
        { rule: 'r', file: 'a.c', line: 4 },
        { rule: 'r', file: 'b.c', line: 4 },
      ],
      new Map([['a.c', text]]),
      [{ file: 'a.c', start: 3, end: 6, text: '' }],
    );
    assert.deepEqual(
      findings.map((f) => f.line),
      [3, 4],
    );
  });
});

describe('judge', () => {
  const mutant: Mutant = {
    id: 'm',
    operator: 'op',
    file: 'a.c',
    line: 5,
    description: '',
    edits: [{ file: 'a.c', start: 0, end: 0, text: 'x' }],
    expected: [{ rule: 'r', file: 'a.c', line: 5 }],
  };
  const texts = new Map([['a.c', 'text\n']]);
  const k = (line: number, rule = 'r') => ({ rule, file: 'a.c', line });

  it('kills when the added findings are exactly the expected ones', () => {
    assert.deepEqual(judge(mutant, [k(9)], [k(9), k(5)], texts), { got: [k(5)], killed: true });
  });

  it('does not kill on a missing, extra, wrong-line or wrong-rule finding', () => {
    assert.equal(judge(mutant, [k(9)], [k(9)], texts).killed, false);
    assert.equal(judge(mutant, [], [k(5), k(6)], texts).killed, false);
    assert.equal(judge(mutant, [], [k(4)], texts).killed, false);
    assert.equal(judge(mutant, [], [k(5, 's')], texts).killed, false);
  });

  it('does not count a finding the unmutated driver already had', () => {
    assert.deepEqual(judge(mutant, [k(5)], [k(5)], texts), { got: [], killed: false });
  });
});
