/**
 * Findings against a label: which reported findings the label expects (true
 * positives), which it does not (false positives), which expected ones are
 * missing (false negatives), and the debatable places apart. Findings are a
 * set of (rule, file, line): the engine reports one finding per rule and
 * place, naming every resource that leaks there (as the acceptance cases'
 * markers count them), so two labelled sites leaking at one `goto` are one
 * expected finding.
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
  /** The false positives a label lists as judged false (`falseAlarms`): still false positives, but not new. */
  knownFalse: Reported[];
}

/** One rule's counts on a driver or in total. */
export interface RuleCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  debatableReported: number;
  debatableSilent: number;
  knownFalse: number;
  /** Places the label judges for this rule: expected, judged false, or debatable. */
  labelled: number;
}

export function emptyRuleCounts(): RuleCounts {
  return {
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: 0,
    debatableReported: 0,
    debatableSilent: 0,
    knownFalse: 0,
    labelled: 0,
  };
}

/** The score split by rule, over `rules` (each present, counts zero where nothing is labelled or reported). */
export function countsByRule(score: Score, label: Label, rules: readonly string[]): Record<string, RuleCounts> {
  const out: Record<string, RuleCounts> = {};
  for (const rule of rules) out[rule] = emptyRuleCounts();
  const add = (items: readonly FindingKey[], field: keyof RuleCounts): void => {
    for (const f of items) if (f.rule in out) out[f.rule][field]++;
  };
  add(score.truePositives, 'truePositives');
  add(score.falsePositives, 'falsePositives');
  add(score.falseNegatives, 'falseNegatives');
  add(score.debatableReported, 'debatableReported');
  add(score.debatableSilent, 'debatableSilent');
  add(score.knownFalse, 'knownFalse');
  add(uniqueKeys([...label.expected, ...label.falseAlarms, ...label.debatable]), 'labelled');
  return out;
}

/** Sums rule counts into `into`. */
export function addRuleCounts(into: Record<string, RuleCounts>, from: Record<string, RuleCounts>): void {
  for (const [rule, c] of Object.entries(from)) {
    const t = (into[rule] ??= emptyRuleCounts());
    for (const k of Object.keys(c) as (keyof RuleCounts)[]) t[k] += c[k];
  }
}

export function keyOf(f: FindingKey): string {
  return `${f.rule}\u0000${f.file}\u0000${String(f.line)}`;
}

/** The first of each (rule, file, line), in order. */
export function uniqueKeys<T extends FindingKey>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Scores the findings of `rules` (others are ignored) against the label. */
export function scoreFindings(findings: readonly Reported[], label: Label, rules: readonly string[]): Score {
  const compared = new Set(rules);
  const expected = uniqueKeys(label.expected.filter((e) => compared.has(e.rule)));
  const debatable = uniqueKeys(label.debatable.filter((e) => compared.has(e.rule)));
  const expectedKeys = new Set(expected.map(keyOf));
  const debatableKeys = new Set(debatable.map(keyOf));
  const reported = uniqueKeys(findings.filter((f) => compared.has(f.rule)));
  const reportedKeys = new Set(reported.map(keyOf));
  const falseKeys = new Set(label.falseAlarms.map(keyOf));
  const falsePositives = reported.filter((f) => !expectedKeys.has(keyOf(f)) && !debatableKeys.has(keyOf(f)));
  return {
    truePositives: reported.filter((f) => expectedKeys.has(keyOf(f))),
    falsePositives,
    falseNegatives: expected.filter((e) => !reportedKeys.has(keyOf(e))),
    debatableReported: reported.filter((f) => !expectedKeys.has(keyOf(f)) && debatableKeys.has(keyOf(f))),
    debatableSilent: debatable.filter((e) => !reportedKeys.has(keyOf(e)) && !expectedKeys.has(keyOf(e))),
    knownFalse: falsePositives.filter((f) => falseKeys.has(keyOf(f))),
  };
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

/** What a mutant added over the unmutated driver: its findings at a (rule, file, line) the driver had none at. */
export function addedFindings<T extends FindingKey>(base: readonly FindingKey[], mutant: readonly T[]): T[] {
  const before = new Set(base.map(keyOf));
  return uniqueKeys(mutant).filter((f) => !before.has(keyOf(f)));
}

/** Equal as sets of (rule, file, line). */
export function sameFindings(a: readonly FindingKey[], b: readonly FindingKey[]): boolean {
  const left = new Set(a.map(keyOf));
  const right = new Set(b.map(keyOf));
  return left.size === right.size && [...left].every((k) => right.has(k));
}
