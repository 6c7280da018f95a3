/**
 * A mutant: a single-defect edit of a driver and the findings it must cause.
 * Edits are offsets in a file's latin1 text, so any byte the edit does not
 * touch stays as it was.
 */

import type { FindingKey } from './score.js';

export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Mutant {
  /** Stable within a driver: operator and the place it edits. */
  id: string;
  operator: string;
  /** Where the defect is (for the listing of survivors). */
  file: string;
  line: number;
  description: string;
  edits: Edit[];
  /** In the lines of the edited files. */
  expected: FindingKey[];
  /**
   * The rules the mutant is judged on (undefined: every compared rule). The
   * mapping operators speak of the mapping only: an early return they make
   * may also leak another resource, which they do not predict.
   */
  rules?: readonly string[];
}

export interface Exclusion {
  operator: string;
  /** The generator's rule that excluded it: a short fixed phrase, so exclusions can be counted by rule. */
  rule: string;
  file: string;
  line: number;
  detail: string;
}

export interface OperatorOutput {
  mutants: Mutant[];
  excluded: Exclusion[];
}

/** The line ends of `original`, after `text`: a replacement that keeps every later line number. */
export function keepingLines(original: string, text: string): string {
  return text + (original.match(/\r\n|\r|\n/g) ?? []).join('');
}

/** The edit that deletes one statement of `text`, leaving `;` and its line ends (every later line keeps its number). */
export function deletingStatement(file: string, text: string, statement: { start: number; end: number }): Edit {
  return {
    file,
    start: statement.start,
    end: statement.end,
    text: keepingLines(text.slice(statement.start, statement.end), ';'),
  };
}

/**
 * Applies edits (of one file, non-overlapping) to its text. Insertions at one
 * offset land in the order they are listed.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = edits.map((e, index) => ({ e, index })).sort((a, b) => b.e.start - a.e.start || b.index - a.index);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].e.end > sorted[k - 1].e.start) throw new Error(`overlapping edits in ${sorted[k].e.file}`);
  }
  let out = text;
  for (const { e } of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function lineEnds(s: string): number {
  return (s.match(/\r\n|\r|\n/g) ?? []).length;
}

/**
 * Maps a line of the original file to its line after the edits: lines after
 * an edit that adds or removes line ends move by that many. Every operator
 * keeps lines where it can; this is for the edits that cannot.
 */
export function lineShifter(text: string, edits: readonly Edit[]): (line: number) => number {
  const shifts = edits.map((e) => ({
    afterLine: lineEnds(text.slice(0, e.end)) + 1,
    delta: lineEnds(e.text) - lineEnds(text.slice(e.start, e.end)),
  }));
  return (line) => line + shifts.filter((s) => line > s.afterLine).reduce((sum, s) => sum + s.delta, 0);
}

/** Moves findings of edited files to their lines in the mutant. */
export function shiftFindings<T extends FindingKey>(
  findings: readonly T[],
  texts: ReadonlyMap<string, string>,
  edits: readonly Edit[],
): T[] {
  const byFile = new Map<string, Edit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const shifters = new Map([...byFile].map(([file, list]) => [file, lineShifter(texts.get(file) ?? '', list)]));
  return findings.map((f) => {
    const shift = shifters.get(f.file);
    return shift ? { ...f, line: shift(f.line) } : f;
  });
}
