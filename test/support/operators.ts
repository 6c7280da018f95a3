/**
 * What the tests of the mutation operators share: a synthetic one-file driver and its label, the
 * lines a mutant changes, and its expectations and a generator's exclusions as sorted text.
 */
import assert from 'node:assert/strict';
import { type Label, parseLabel } from '../../eval/labels.js';
import { applyEdits, type Mutant } from '../../eval/mutant.js';
import { OperatorContext, textFromMap } from '../../eval/operators/context.js';

/** A label of the driver `synthetic` with these fields (`initialize`, `halt`, `callbacks`, `expected`, ...). */
export function syntheticLabel(fields: object): Label {
  return parseLabel(
    { driver: 'synthetic', initialize: [], halt: [], sites: [], expected: [], ...fields },
    'synthetic label',
  );
}

/** An operator's view of a driver that is one file, `drv.c`, of these lines. */
export function oneFileContext(lines: readonly string[], label: Label): OperatorContext {
  return new OperatorContext(label, textFromMap(new Map([['drv.c', lines.join('\n')]])));
}

/** The lines a mutant of `drv.c` changes, as `N: text`; every edit must keep the line count. */
export function changedLines(m: Mutant, lines: readonly string[]): string[] {
  const after = applyEdits(lines.join('\n'), m.edits).split('\n');
  assert.equal(after.length, lines.length, 'the edit keeps every line');
  return after.flatMap((line, i) => (line === lines[i] ? [] : [`${String(i + 1)}: ${line}`]));
}

/** A mutant's expected findings as `rule file:line`, sorted. */
export const expectedKeys = (m: Mutant): string[] =>
  m.expected.map((f) => `${f.rule} ${f.file}:${String(f.line)}`).sort();

/** A generator's exclusions as `line rule`, sorted. */
export const exclusionKeys = (out: { excluded: { rule: string; line: number }[] }): string[] =>
  out.excluded.map((e) => `${String(e.line)} ${e.rule}`).sort();
