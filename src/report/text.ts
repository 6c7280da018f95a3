/**
 * Human-readable report in the form compilers print, so editors, terminals
 * and problem matchers turn every location into a link: the finding as
 * `path:line:col: severity: message [rule]`, each trace step and each notice
 * as `path:line:col: note: message`, the rule's page under the finding, and
 * a total on the last line.
 */

import type { Finding, Severity, TraceStep } from '../engine/types.js';
import type { Report, ReportNotice } from '../review/report.js';
import { SEVERITIES, sortFindings, sortNotices } from './order.js';
import { plural } from '../util/words.js';

export interface TextOptions {
  /** ANSI colours, for a terminal. */
  color?: boolean;
  /** How a path relative to the scanned root is printed (the CLI: as given on the command line, like gcc). */
  displayPath?: (path: string) => string;
  /** The rule page of a finding (a URL); without it, the finding's `docs` path. */
  docsUrl?: (finding: Finding) => string;
}

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'blue';

const ANSI_CODES: Record<Style, string> = {
  bold: '1',
  dim: '2',
  red: '1;31',
  yellow: '1;33',
  cyan: '1;36',
  blue: '1;34',
};

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };

type Paint = (style: Style, text: string) => string;

function painter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => `\u001b[${ANSI_CODES[style]}m${text}\u001b[0m`;
}

interface Context {
  paint: Paint;
  display: (path: string) => string;
  docsUrl: (finding: Finding) => string;
}

export function formatText(report: Report, opts: TextOptions = {}): string {
  const ctx: Context = {
    paint: painter(opts.color ?? false),
    display: opts.displayPath ?? ((p) => p),
    docsUrl: opts.docsUrl ?? ((f) => f.docs),
  };
  const lines: string[] = [];
  for (const finding of sortFindings(report.findings)) lines.push(...findingLines(finding, ctx));
  for (const notice of sortNotices(report.notices)) lines.push(noticeLine(notice, ctx));
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}

function location(ctx: Context, path: string, line?: number, column?: number): string {
  let where = ctx.display(path);
  if (line !== undefined) where += `:${String(line)}`;
  if (line !== undefined && column !== undefined) where += `:${String(column)}`;
  return ctx.paint('bold', `${where}:`);
}

function findingLines(finding: Finding, ctx: Context): string[] {
  const { paint } = ctx;
  const head =
    location(ctx, finding.path, finding.line, finding.column) +
    ' ' +
    paint(SEVERITY_STYLE[finding.severity], `${finding.severity}:`) +
    ` ${finding.message} ` +
    paint('dim', `[${finding.rule}]`);
  const docs = ctx.docsUrl(finding);
  return [
    head,
    ...finding.trace.map((step) => traceLine(step, ctx)),
    ...(docs === '' ? [] : [paint('dim', `  see ${docs}`)]),
  ];
}

/** Column 1 when the engine knows only the line: editors and problem matchers expect `file:line:col:`. */
function traceLine(step: TraceStep, ctx: Context): string {
  return `${location(ctx, step.path, step.line, step.column ?? 1)} ${ctx.paint('cyan', 'note:')} ${step.message}`;
}

function noticeLine(notice: ReportNotice, ctx: Context): string {
  const label = ctx.paint('blue', 'note:');
  const where =
    notice.path === undefined
      ? ctx.paint('bold', 'ndis-review:')
      : location(ctx, notice.path, notice.line, notice.line === undefined ? undefined : 1);
  return `${where} ${label} ${notice.message}`;
}

/**
 * e.g. `2 findings (1 error, 1 warning), 1 suppressed, 1 notice in 14 files`,
 * or `no findings in 14 files`; says when a baseline hid findings and when
 * the report is incomplete.
 */
function summaryLine(report: Report): string {
  const parts: string[] = [];
  const findings = report.findings;
  const noun = report.preExisting === undefined ? 'finding' : 'new finding';
  if (findings.length === 0) parts.push(`no ${noun}s`);
  else {
    const bySeverity = SEVERITIES.map((severity) => ({
      severity,
      n: findings.filter((f) => f.severity === severity).length,
    }))
      .filter(({ n }) => n > 0)
      .map(({ severity, n }) => plural(n, severity));
    parts.push(`${plural(findings.length, noun)} (${bySeverity.join(', ')})`);
  }
  if (report.preExisting !== undefined && report.preExisting.length > 0) {
    parts.push(`${String(report.preExisting.length)} in the baseline`);
  }
  if (report.suppressed !== undefined && report.suppressed.length > 0) {
    parts.push(`${String(report.suppressed.length)} suppressed`);
  }
  if (report.notices.length > 0) parts.push(plural(report.notices.length, 'notice'));
  const line = `${parts.join(', ')} in ${plural(report.files, 'file')}`;
  return report.complete ? line : `${line}; incomplete: a notice above says what was not analysed`;
}
