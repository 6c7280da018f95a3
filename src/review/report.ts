/**
 * The review layer between the engine and every surface: the
 * configuration's rule settings, suppression directives, the path filter
 * and a baseline, applied the same way for the CLI, the app and the Action.
 * Pure: the scan result and the configuration in, a `Report` out.
 */
import type { Finding, Notice, NoticeKind, RuleMeta, ScanResult } from '../engine/types.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { classify } from './classify.js';
import type { ReviewConfig } from './config.js';
import { pathFilter } from './paths.js';
import { applyRuleConfig, previewRules, rulesOff } from './rule-config.js';
import { applyDirectives, type SuppressedFinding } from './suppress.js';

/** Notice kinds: the engine's, and `baseline` (a baseline that cannot be used as asked). */
export type ReportNoticeKind = NoticeKind | 'baseline';

export interface ReportNotice extends Omit<Notice, 'kind'> {
  kind: ReportNoticeKind;
}

/**
 * What the reporters format. A bare `ScanResult` is one (nothing
 * suppressed, no baseline), so reporters also take the engine's result.
 */
export interface Report {
  version: string;
  root: string;
  files: number;
  complete: boolean;
  /** The rules that ran, then ndis-review's own. */
  rules: readonly RuleMeta[];
  /** What is reported: counted in the exit status and the summary. */
  findings: readonly Finding[];
  notices: readonly ReportNotice[];
  /** Silenced by a directive: listed, counted nowhere. */
  suppressed?: readonly SuppressedFinding[];
  /**
   * With a baseline: findings it already had. Left out of `findings` (text
   * and JSON do not show them, the exit status does not count them), kept in
   * SARIF as `unchanged`, since code scanning takes each upload as the whole state.
   */
  preExisting?: readonly Finding[];
}

/** A scan through the configuration and the directives in its sources. */
export function reviewScan(result: ScanResult, config: ReviewConfig): Report {
  const preview = previewRules(result.rules);
  const configured = applyRuleConfig(result.findings, config.rules, preview);
  const knownRules = [...result.rules.map((r) => r.id), ...BUILTIN_RULES.map((r) => r.id)];
  const { kept, suppressed, unused } = applyDirectives(configured, result.directives ?? [], {
    knownRules,
    rulesOff: rulesOff(config.rules, preview),
    complete: result.complete,
  });
  // paths filters what is reported, never what was analysed.
  const reported = pathFilter(config.paths);
  return {
    version: result.version,
    root: result.root,
    files: result.files,
    complete: result.complete,
    rules: [...result.rules, ...BUILTIN_RULES.filter((b) => !result.rules.some((r) => r.id === b.id))],
    findings: [...kept, ...applyRuleConfig(unused, config.rules, preview)].filter((f) => reported(f.path)),
    notices: result.notices,
    suppressed: suppressed.filter((s) => reported(s.finding.path)),
  };
}

/**
 * Only what is new against a baseline (fingerprints of an earlier report):
 * the rest moves to `preExisting`. `notices` are added to the report's
 * (say, why the baseline could not be matched).
 */
export function againstBaseline(report: Report, baseline: Iterable<string>, notices: ReportNotice[] = []): Report {
  const { added, existing } = classify(report.findings, [], baseline);
  return { ...report, findings: added, preExisting: existing, notices: [...report.notices, ...notices] };
}
