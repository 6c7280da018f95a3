/**
 * Human-readable report in the `path:line:col: severity: message` form that
 * compilers print, so editors and terminals turn every location into a link.
 */

import type { Finding, Notice, ScanResult, Severity } from '../engine/types.js';
import { SEVERITIES, sortFindings, sortNotices } from './order.js';

export interface TextOptions {
  /** ANSI colours, for a terminal. */
  color?: boolean;
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

export function formatText(result: ScanResult, opts: TextOptions = {}): string {
  const paint = painter(opts.color ?? false);
  const lines: string[] = [];
  for (const finding of sortFindings(result.findings)) lines.push(...findingLines(finding, paint));
  for (const notice of sortNotices(result.notices)) lines.push(noticeLine(notice, paint));
  lines.push(summaryLine(result));
  return lines.join('\n') + '\n';
}

function findingLines(finding: Finding, paint: Paint): string[] {
  const head =
    paint('bold', `${finding.path}:${finding.line}:${finding.column}:`) +
    ' ' +
    paint(SEVERITY_STYLE[finding.severity], `${finding.severity}:`) +
    ` ${finding.message} ` +
    paint('dim', `[${finding.rule}]`);
  const steps = finding.trace.map((step) => `  ${step.path}:${step.line}: ${step.message}`);
  return [head, ...steps, paint('dim', `  see ${finding.docs}`)];
}

function noticeLine(notice: Notice, paint: Paint): string {
  const label = paint('blue', 'notice:');
  const where = noticeLocation(notice);
  return where === '' ? `${label} ${notice.message}` : `${paint('bold', where)} ${label} ${notice.message}`;
}

function noticeLocation(notice: Notice): string {
  if (notice.path === undefined) return '';
  return notice.line === undefined ? `${notice.path}:` : `${notice.path}:${notice.line}:`;
}

/** e.g. `2 findings (1 error, 1 warning) in 14 files`, or `no findings in 14 files`. */
function summaryLine(result: ScanResult): string {
  const files = plural(result.files, 'file');
  if (result.findings.length === 0) return `no findings in ${files}`;
  const bySeverity = SEVERITIES.map((severity) => ({
    severity,
    count: result.findings.filter((f) => f.severity === severity).length,
  }))
    .filter(({ count }) => count > 0)
    .map(({ severity, count }) => plural(count, severity));
  return `${plural(result.findings.length, 'finding')} (${bySeverity.join(', ')}) in ${files}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
