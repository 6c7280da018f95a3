/**
 * New versus pre-existing, by fingerprint: the one comparison behind the
 * app's pull request classification, the CLI's `--baseline` and
 * `--new-since`. Fingerprints ignore line numbers, so a finding that only
 * moved is not new.
 */
import type { Finding } from '../engine/types.js';
import type { SuppressedFinding } from './suppress.js';

/** Findings of the head commit, split by whether the base had them (by fingerprint). */
export interface ClassifiedFindings {
  /** In head, not in base. */
  added: Finding[];
  /** In head and in base. */
  existing: Finding[];
  /** In base, not in head: fixed since the base. */
  fixed: Finding[];
}

/**
 * Splits head findings by fingerprint: `added` (not in base) and `existing`
 * (in base), both in head order; `fixed` are base findings gone from head, in
 * base order. `alsoInBase` are more fingerprints the base had (say, its
 * suppressed findings): a head finding among them is not new either.
 */
export function classify(
  head: readonly Finding[],
  base: readonly Finding[],
  alsoInBase: Iterable<string> = [],
): ClassifiedFindings {
  const inBase = new Set([...base.map((f) => f.fingerprint), ...alsoInBase]);
  const inHead = new Set(head.map((f) => f.fingerprint));
  return {
    added: head.filter((f) => !inBase.has(f.fingerprint)),
    existing: head.filter((f) => inBase.has(f.fingerprint)),
    fixed: base.filter((f) => !inHead.has(f.fingerprint)),
  };
}

/**
 * Suppressions the head adds: head findings suppressed by a directive whose
 * fingerprint the base did not suppress (the finding was reported there, or
 * did not exist). Keyed by finding, not by comment, so a directive that only
 * moved with its code is not new.
 */
export function addedSuppressions(
  head: readonly SuppressedFinding[],
  base: readonly SuppressedFinding[],
): SuppressedFinding[] {
  const before = new Set(base.map((s) => s.finding.fingerprint));
  return head.filter((s) => !before.has(s.finding.fingerprint));
}
