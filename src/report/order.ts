/**
 * The one order every reporter uses, so that two runs over the same sources
 * print byte-identical reports whatever order the engine's workers finished in.
 */

import type { Finding, Notice, Severity } from '../engine/types.js';

/** Plain code-unit comparison: locale-independent, so the order is the same on every machine. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.path, b.path) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

/** Findings by path, line, column and rule (fingerprint last, to break full ties). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Notices without a path first (they concern the whole scan), then by path, line, kind, message. */
export function sortNotices<N extends Pick<Notice, 'path' | 'line' | 'message'> & { kind: string }>(
  notices: readonly N[],
): N[] {
  return [...notices].sort(
    (a, b) =>
      compareStrings(a.path ?? '', b.path ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.message, b.message),
  );
}

/** Rank by severity, 0 the most severe; a `Record` so a new severity cannot be forgotten here. */
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** All severities, most severe first. */
export const SEVERITIES = (Object.keys(SEVERITY_RANK) as Severity[]).sort(
  (a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b],
);

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}
