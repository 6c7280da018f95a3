/**
 * Findings against a label: which reported findings the label expects (true
 * positives), which it does not (false positives), which expected ones are
 * missing (false negatives), and the debatable places apart. Findings match
 * by rule, file and line, one to one, so two findings on one line need two
 * expected entries.
 */

import type { ExpectedFinding, Label } from './labels.js';

export interface FindingKey {
  rule: string;
  file: string;
  line: number;
}

export interface Reported extends FindingKey {
  message: string;
}

export interface Score {
  truePositives: Reported[];
  falsePositives: Reported[];
  falseNegatives: ExpectedFinding[];
  /** Reported findings at a debatable place: neither true nor false. */
  debatableReported: Reported[];
  /** Debatable places with no finding. */
  debatableSilent: ExpectedFinding[];
}

export function keyOf(f: FindingKey): string {
  return `${f.rule}\u0000${f.file}\u0000${String(f.line)}`;
}

/** Takes one item of the matching key out of a multiset built by `multiset`. */
function take<T>(pool: Map<string, T[]>, key: string): T | undefined {
  const list = pool.get(key);
  const item = list?.shift();
  if (list?.length === 0) pool.delete(key);
  return item;
}

function multiset<T extends FindingKey>(items: readonly T[]): Map<string, T[]> {
  const pool = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = pool.get(key);
    if (list) list.push(item);
    else pool.set(key, [item]);
  }
  return pool;
}

/** Scores the findings of `rules` (others are ignored) against the label. */
export function scoreFindings(findings: readonly Reported[], label: Label, rules: readonly string[]): Score {
  const compared = new Set(rules);
  const expected = multiset(label.expected.filter((e) => compared.has(e.rule)));
  const debatable = multiset(label.debatable.filter((e) => compared.has(e.rule)));
  const score: Score = {
    truePositives: [],
    falsePositives: [],
    falseNegatives: [],
    debatableReported: [],
    debatableSilent: [],
  };
  for (const f of findings) {
    if (!compared.has(f.rule)) continue;
    const key = keyOf(f);
    if (take(expected, key)) score.truePositives.push(f);
    else if (take(debatable, key)) score.debatableReported.push(f);
    else score.falsePositives.push(f);
  }
  for (const list of expected.values()) score.falseNegatives.push(...list);
  for (const list of debatable.values()) score.debatableSilent.push(...list);
  return score;
}

/** A share in [0, 1], or null when there is nothing to divide (no finding, no expected finding). */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export function precision(tp: number, fp: number): number | null {
  return ratio(tp, tp + fp);
}

export function recall(tp: number, fn: number): number | null {
  return ratio(tp, tp + fn);
}

/** What a mutant added over the unmutated driver: the multiset difference of the two finding lists. */
export function addedFindings<T extends FindingKey>(base: readonly FindingKey[], mutant: readonly T[]): T[] {
  const pool = multiset(base);
  return mutant.filter((f) => take(pool, keyOf(f)) === undefined);
}

/** Equal as multisets of (rule, file, line). */
export function sameFindings(a: readonly FindingKey[], b: readonly FindingKey[]): boolean {
  if (a.length !== b.length) return false;
  return addedFindings(a, b).length === 0;
}
