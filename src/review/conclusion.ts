/**
 * The pull request's verdict, as a check run conclusion: a new finding at
 * or above `failOn` fails it; other findings give `otherwise`; none gives
 * `success`. A suppression directive the pull request adds to silence an
 * error keeps the run from `success` (a reviewer should look), unless the
 * base branch's configuration trusts suppressions.
 */
import { severityRank } from '../report/order.js';
import type { ClassifiedFindings } from './classify.js';
import type { ReviewConfig } from './config.js';
import type { SuppressedFinding } from './suppress.js';

export type Conclusion = 'success' | 'failure' | 'neutral';

export function conclusionOf(
  classified: ClassifiedFindings,
  config: Pick<ReviewConfig, 'conclusion' | 'trustSuppressions'>,
  addedSuppressions: readonly SuppressedFinding[] = [],
): Conclusion {
  const failOn = config.conclusion.failOn;
  if (failOn !== 'never' && classified.added.some((f) => severityRank(f.severity) <= severityRank(failOn))) {
    return 'failure';
  }
  const verdict = classified.added.length + classified.existing.length > 0 ? config.conclusion.otherwise : 'success';
  const silencedError = addedSuppressions.some((s) => s.finding.severity === 'error');
  return verdict === 'success' && silencedError && !config.trustSuppressions ? 'neutral' : verdict;
}
