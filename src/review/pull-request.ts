/**
 * A pull request through the review layer: head and base each reviewed
 * with the base branch's configuration (suppressions, rule settings,
 * paths), then compared by fingerprint. What the app's analysis needs to
 * render its check run and review; pure.
 */
import type { ScanResult } from '../engine/types.js';
import { addedSuppressions, classify, type ClassifiedFindings } from './classify.js';
import type { ReviewConfig } from './config.js';
import { reviewScan, type Report } from './report.js';
import type { SuppressedFinding } from './suppress.js';

export interface PullRequestReview {
  /** Head after the review layer: `findings` are what is reported (and commented on), `suppressed` counts nowhere. */
  head: Report;
  /** Head's reported findings against base's (a base finding suppressed there is not new in head either). */
  classified: ClassifiedFindings;
  /** Findings the pull request silences with a directive the base did not have (see `addedSuppressions`). */
  addedSuppressions: SuppressedFinding[];
}

/** `base` undefined: no base to compare with (a push, not a pull request): every finding is new, no suppression is. */
export function reviewPullRequest(
  head: ScanResult,
  base: ScanResult | undefined,
  config: ReviewConfig,
): PullRequestReview {
  const headReport = reviewScan(head, config);
  const baseReport = base === undefined ? undefined : reviewScan(base, config);
  const baseSuppressed = baseReport?.suppressed ?? [];
  return {
    head: headReport,
    classified: classify(
      headReport.findings,
      baseReport?.findings ?? [],
      baseSuppressed.map((s) => s.finding.fingerprint),
    ),
    // Without a base there is no pull request whose directives could be new.
    addedSuppressions: baseReport === undefined ? [] : addedSuppressions(headReport.suppressed ?? [], baseSuppressed),
  };
}
