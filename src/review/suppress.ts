/**
 * Suppression directives applied to findings. A directive suppresses the
 * findings of the rules it names that start on the line it covers; what it
 * suppresses counts nowhere (exit status, conclusion, badge, comments) but
 * keeps its fingerprint and is listed with the directive's line and reason.
 * A directive, or a rule id in one, that suppresses nothing becomes a
 * finding of `ndis-review/unused-directive`.
 */
import { createHash } from 'node:crypto';
import type { Directive, DirectiveKind } from '../engine/directives.js';
import type { Finding } from '../engine/types.js';
import { UNUSED_DIRECTIVE } from './builtin-rules.js';
import { closest } from './suggest.js';

/** Which directive suppressed a finding. */
export interface Suppression {
  kind: DirectiveKind;
  /** Where the directive's comment is (same file as the finding). */
  line: number;
  column: number;
  /** The text after `--`; empty when none was given. */
  reason: string;
}

export interface SuppressedFinding {
  finding: Finding;
  suppression: Suppression;
}

export interface SuppressionOptions {
  /** Every rule id a directive may name (the pack's and ndis-review's own). */
  knownRules: readonly string[];
  /** Rules the configuration switched off: naming one is not an unused directive. */
  rulesOff: ReadonlySet<string>;
  /**
   * False when the scan withheld a decision: a finding may be missing rather
   * than gone, so only directives that can never suppress anything (unknown
   * rules, malformed) are reported.
   */
  complete: boolean;
}

export interface SuppressionResult {
  /** Findings no directive covers, in input order. */
  kept: Finding[];
  suppressed: SuppressedFinding[];
  /** `ndis-review/unused-directive` findings, one per unused rule id or malformed directive. */
  unused: Finding[];
}

export function applyDirectives(
  findings: readonly Finding[],
  directives: readonly Directive[],
  options: SuppressionOptions,
): SuppressionResult {
  // `path:line` → the directives covering that line.
  const byLine = new Map<string, Directive[]>();
  for (const d of directives) {
    if (d.kind === 'invalid') continue;
    const key = `${d.path}:${String(d.target)}`;
    const list = byLine.get(key);
    if (list) list.push(d);
    else byLine.set(key, [d]);
  }
  const used = new Set<string>(); // `directive index:rule`
  const index = new Map(directives.map((d, i) => [d, i]));
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const directive = byLine
      .get(`${finding.path}:${String(finding.line)}`)
      ?.find((d) => d.rules.includes(finding.rule));
    if (directive === undefined || finding.rule === UNUSED_DIRECTIVE.id) {
      kept.push(finding);
      continue;
    }
    used.add(`${String(index.get(directive))}:${finding.rule}`);
    suppressed.push({
      finding,
      suppression: {
        kind: directive.kind as DirectiveKind,
        line: directive.line,
        column: directive.column,
        reason: directive.reason,
      },
    });
  }
  return { kept, suppressed, unused: unusedFindings(directives, used, index, options) };
}

function unusedFindings(
  directives: readonly Directive[],
  used: ReadonlySet<string>,
  index: ReadonlyMap<Directive, number>,
  options: SuppressionOptions,
): Finding[] {
  const out: Finding[] = [];
  const occurrences = new Map<string, number>();
  const report = (d: Directive, subject: string, message: string): void => {
    // Identity without line numbers: the file, the directive as written and what is wrong, counted per file.
    const key = JSON.stringify([UNUSED_DIRECTIVE.id, d.path, d.text, subject]);
    const n = occurrences.get(key) ?? 0;
    occurrences.set(key, n + 1);
    out.push({
      rule: UNUSED_DIRECTIVE.id,
      severity: UNUSED_DIRECTIVE.severity,
      path: d.path,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      message,
      fingerprint: createHash('sha1')
        .update(`${key}#${String(n)}`)
        .digest('hex')
        .slice(0, 32),
      trace: [],
      docs: UNUSED_DIRECTIVE.docs,
    });
  };
  for (const d of directives) {
    if (d.kind === 'invalid') {
      report(
        d,
        '',
        `This comment is not a directive ndis-review knows: write ndis-review-disable-line or ndis-review-disable-next-line, then the rule ids and -- a reason.`,
      );
      continue;
    }
    if (d.rules.length === 0) {
      report(d, '', `This ${d.kind} directive names no rule, so it suppresses nothing: name the rule ids to suppress.`);
      continue;
    }
    for (const rule of d.rules) {
      if (!options.knownRules.includes(rule)) {
        const guess = closest(rule, options.knownRules);
        report(
          d,
          rule,
          `${rule} is not a rule ndis-review knows, so this directive suppresses nothing for it${guess === undefined ? '' : `: did you mean ${guess}?`}`,
        );
      } else if (
        options.complete &&
        !options.rulesOff.has(rule) &&
        rule !== UNUSED_DIRECTIVE.id &&
        !used.has(`${String(index.get(d))}:${rule}`)
      ) {
        report(
          d,
          rule,
          `${rule} reports nothing on line ${String(d.target)}, so this directive suppresses nothing: remove ${rule} from it${d.rules.length === 1 ? ' (or the whole comment)' : ''}.`,
        );
      }
    }
  }
  return out;
}
