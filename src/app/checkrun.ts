/**
 * The check run of a pull request, as pure data: which findings are new,
 * the conclusion the configuration asks for, the Markdown summary and the
 * annotations, all within the limits of GitHub's check runs API.
 *
 * GitHub measures `output.summary` and `output.text` in UTF-8 bytes ("summary
 * exceeds a maximum bytesize of 65535"), so every limit here is counted in
 * UTF-8 bytes; that also keeps each text within 65,535 UTF-16 code units.
 */

import type { Finding, Notice, RuleMeta, Severity } from '../engine/types.js';
import { SEVERITIES, severityRank, sortFindings, sortNotices } from '../report/order.js';
import type { AppConfig, CheckAnnotation, CheckRunReport, ClassifiedFindings } from './types.js';

/** Largest `output.summary` and `output.text`, in UTF-8 bytes. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
/** Longest `output.title` (characters; kept in bytes, which is stricter). */
export const CHECK_RUN_TITLE_LIMIT = 255;
/** Largest annotation `message` and `raw_details` (64 KB), in UTF-8 bytes. */
export const ANNOTATION_TEXT_LIMIT = 65_535;
/** Longest annotation `title`. */
export const ANNOTATION_TITLE_LIMIT = 255;
/** The check runs API takes at most this many annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations the app sends for one check run at most; the rest are counted in the summary. */
export const MAX_ANNOTATIONS = 1000;

/** A table cell shows at most this many characters of a message (the annotation has all of it). */
const CELL_MESSAGE_CHARS = 1000;
/** A trace in the summary shows at most this many steps, each message at most this many characters. */
const SUMMARY_TRACE_STEPS = 50;
const TRACE_MESSAGE_CHARS = 500;
/** Notices may use at most this much of the summary, so findings keep the room. */
const NOTICE_BUDGET = 8192;

// ---------------------------------------------------------------------------
// Classification and configuration

/**
 * Splits head findings by fingerprint: `added` (not in base) and `existing`
 * (in base), both in head order; `fixed` are base findings gone from head, in
 * base order.
 */
export function classify(head: Finding[], base: Finding[]): ClassifiedFindings {
  const inBase = new Set(base.map((f) => f.fingerprint));
  const inHead = new Set(head.map((f) => f.fingerprint));
  return {
    added: head.filter((f) => !inBase.has(f.fingerprint)),
    existing: head.filter((f) => inBase.has(f.fingerprint)),
    fixed: base.filter((f) => !inHead.has(f.fingerprint)),
  };
}

/**
 * Drops findings of rules configured `off` and replaces the severity where
 * the configuration gives one. Apply it to head and base findings alike,
 * before `classify`. Input order is kept; findings are not mutated.
 */
export function applyRuleConfig(findings: Finding[], rules: AppConfig['rules']): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const override = Object.hasOwn(rules, finding.rule) ? rules[finding.rule] : undefined;
    if (override === 'off') continue;
    out.push(override === undefined || override === finding.severity ? finding : { ...finding, severity: override });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The check run

export interface CheckRunInput {
  /** Findings after `applyRuleConfig`, split by `classify`. */
  classified: ClassifiedFindings;
  config: AppConfig;
  /** The rules that ran (for their documentation and descriptions in `text`). */
  rules: RuleMeta[];
  notices: Notice[];
  /** Source files scanned in head. */
  files: number;
  headSha: string;
  /** Base of the documentation links, e.g. `https://github.com/o/r/blob/v1/`; docs paths are appended. */
  docsBaseUrl?: string;
  /** Each rule's documentation page (Markdown), shown folded under the rule in `text`. */
  ruleDocText?: ReadonlyMap<string, string>;
  /** Most annotations to send (default `MAX_ANNOTATIONS`); the summary says how many were left out. */
  maxAnnotations?: number;
}

/**
 * Everything the app sends to complete the check run. `annotations` are
 * already ordered and capped; send them with `batchAnnotations`.
 */
export function renderCheckRun(input: CheckRunInput): CheckRunReport {
  const { classified, config } = input;
  const added = bySeverity(classified.added);
  const existing = bySeverity(classified.existing);
  const reported: Reported[] = added.map((finding) => ({ finding, isNew: true }));
  if (config.report === 'all') for (const finding of existing) reported.push({ finding, isNew: false });

  // Annotations: new findings first, so a cap never hides a new one behind an old one.
  const max = input.maxAnnotations ?? MAX_ANNOTATIONS;
  const first = capAnnotations(added.map(toAnnotation), max);
  const second = capAnnotations(
    config.report === 'all' ? existing.map(toAnnotation) : [],
    Math.max(0, max - first.kept.length),
  );
  const annotations = [...first.kept, ...second.kept];
  const omittedAnnotations = first.omitted + second.omitted;

  const ctx: RenderContext = {
    docsBaseUrl: input.docsBaseUrl,
    ruleDocs: new Map(input.rules.map((r) => [r.id, r.docs])),
    showStatus: config.report === 'all',
  };
  const report: CheckRunReport = {
    conclusion: conclusionOf(classified, config.conclusion),
    title: truncateUtf8(titleOf(classified, input.files), CHECK_RUN_TITLE_LIMIT),
    summary: renderSummary(input, reported, existing, annotations.length, omittedAnnotations, ctx),
    annotations,
  };
  const text = renderRulesText(input, ctx);
  if (text !== '') report.text = text;
  return report;
}

function conclusionOf(classified: ClassifiedFindings, policy: AppConfig['conclusion']): CheckRunReport['conclusion'] {
  const failOn = policy.failOn;
  if (failOn !== 'never' && classified.added.some((f) => severityRank(f.severity) <= severityRank(failOn))) {
    return 'failure';
  }
  return classified.added.length + classified.existing.length > 0 ? policy.otherwise : 'success';
}

const SEVERITY_WORDS: Record<Severity, [string, string]> = {
  error: ['error', 'errors'],
  warning: ['warning', 'warnings'],
  note: ['note', 'notes'],
};

/** E.g. `2 new errors, 1 new warning · 3 pre-existing · 1 fixed`, or `No findings in 14 files`. */
function titleOf(classified: ClassifiedFindings, files: number): string {
  const parts: string[] = [];
  for (const severity of SEVERITIES) {
    const n = classified.added.filter((f) => f.severity === severity).length;
    const [one, many] = SEVERITY_WORDS[severity];
    if (n > 0) parts.push(`${count(n)} new ${n === 1 ? one : many}`);
  }
  let title =
    parts.length > 0
      ? parts.join(', ')
      : classified.existing.length > 0
        ? 'No new findings'
        : `No findings in ${plural(files, 'file', 'files')}`;
  if (classified.existing.length > 0) title += ` · ${count(classified.existing.length)} pre-existing`;
  if (classified.fixed.length > 0) title += ` · ${count(classified.fixed.length)} fixed`;
  return title;
}

// ---------------------------------------------------------------------------
// Summary

interface Reported {
  finding: Finding;
  isNew: boolean;
}

interface RenderContext {
  docsBaseUrl: string | undefined;
  ruleDocs: Map<string, string>;
  /** `report: all`: the table mixes new and pre-existing findings, so it says which is which. */
  showStatus: boolean;
}

/** A run of rows that may be cut (whole rows only), with lines around it. */
interface Block {
  head: string[];
  /** One entry per row; a row may span several lines. */
  rows: string[];
  tail: string[];
  /** The line that says how many rows were cut. */
  omitted: (n: number) => string;
  /** Show head and tail even without rows. */
  always?: boolean;
}

type Part = string[] | Block;

function renderSummary(
  input: CheckRunInput,
  reported: Reported[],
  existing: Finding[],
  annotated: number,
  omittedAnnotations: number,
  ctx: RenderContext,
): string {
  const { classified, config } = input;
  const header = [`ndis-review scanned ${plural(input.files, 'file', 'files')} at ${escapeMarkdown(input.headSha)}.`];
  if (omittedAnnotations > 0) {
    header.push(
      '',
      `_${count(annotated)} of ${plural(annotated + omittedAnnotations, 'reported finding is', 'reported findings are')} ` +
        `annotated in the diff (new ones first, then the most severe); ${count(omittedAnnotations)} ` +
        `${omittedAnnotations === 1 ? 'is' : 'are'} not._`,
    );
  }

  const heading = config.report === 'all' ? '### Findings' : '### New findings';
  const table: Block = {
    head: [heading, '', ...tableHeader(ctx.showStatus)],
    rows: reported.map((r) => tableRow(r, ctx, ctx.showStatus)),
    tail: [],
    omitted: (n) =>
      `_… and ${plural(n, 'more finding', 'more findings')} not listed: the summary is limited to 65,535 bytes._`,
  };
  const noneLine = [heading, '', config.report === 'all' ? 'No findings.' : 'No new findings.'];
  const traces: Block = {
    head: ['### Traces', ''],
    rows: [], // filled once the table's rows are known
    tail: [],
    omitted: (n) => `_Traces of ${plural(n, 'more finding', 'more findings')} left out._`,
  };
  const showExisting = config.report === 'new' && existing.length > 0;
  const before: Block = {
    head: [
      '<details>',
      `<summary>Already present before this pull request (${count(existing.length)})</summary>`,
      '',
      ...tableHeader(false),
    ],
    rows: showExisting ? existing.map((finding) => tableRow({ finding, isNew: false }, ctx, false)) : [],
    tail: ['', '</details>'],
    omitted: (n) => `_… and ${plural(n, 'more finding', 'more findings')} not listed._`,
  };
  const fixed = [`**Fixed by this pull request:** ${plural(classified.fixed.length, 'finding', 'findings')}.`];
  const notices: Block = {
    head: ['### Notices', ''],
    rows: sortNotices(input.notices).map(noticeRow),
    tail: [],
    omitted: (n) => `_… and ${plural(n, 'more notice', 'more notices')}._`,
  };

  const parts: Part[] = [header, reported.length > 0 ? table : noneLine, traces, before, fixed, notices];

  // What the page costs without any row, with room for every "left out" line.
  let budget = CHECK_RUN_TEXT_LIMIT - utf8Length(compose(parts, 'reserve'));
  const take = (block: Block, cap = Infinity): number => {
    const n = fitRows(block.rows, Math.min(budget, cap));
    for (let i = 0; i < n; i++) budget -= utf8Length(block.rows[i]) + 1;
    return n;
  };
  const kept = new Map<Block, number>();
  // Priority: notices (bounded), the table, the traces of the listed findings, the older findings.
  kept.set(notices, take(notices, NOTICE_BUDGET));
  const tableKept = reported.length > 0 ? take(table) : 0;
  kept.set(table, tableKept);
  traces.rows = reported
    .slice(0, tableKept)
    .filter((r) => r.finding.trace.length > 0)
    .map((r) => traceRow(r.finding));
  kept.set(traces, take(traces));
  kept.set(before, take(before));

  return fitLines(compose(parts, kept), CHECK_RUN_TEXT_LIMIT);
}

/**
 * Joins the parts with blank lines. `reserve`: no rows, every block present
 * with its "left out" line at its longest (to measure the fixed cost).
 */
function compose(parts: Part[], kept: Map<Block, number> | 'reserve'): string {
  const groups: string[][] = [];
  for (const part of parts) {
    if (Array.isArray(part)) {
      groups.push(part);
      continue;
    }
    if (kept === 'reserve') {
      groups.push([...part.head, '', part.omitted(999_999_999), ...part.tail]);
      continue;
    }
    if (part.rows.length === 0 && !part.always) continue;
    const n = kept.get(part) ?? 0;
    const lines = [...part.head, ...part.rows.slice(0, n)];
    // A blank line first: a line right under a table would become one of its rows.
    if (n < part.rows.length) lines.push('', part.omitted(part.rows.length - n));
    lines.push(...part.tail);
    groups.push(lines);
  }
  return groups.map((g) => g.join('\n')).join('\n\n') + '\n';
}

/** How many leading rows fit in `budget` bytes (each row plus its newline). */
function fitRows(rows: string[], budget: number): number {
  let used = 0;
  let n = 0;
  for (const row of rows) {
    const cost = utf8Length(row) + 1;
    if (used + cost > budget) break;
    used += cost;
    n++;
  }
  return n;
}

/** A summary or text the app changed after rendering, cut by whole lines to GitHub's byte limit. */
export function fitCheckRunText(text: string): string {
  return fitLines(text, CHECK_RUN_TEXT_LIMIT);
}

/** Last resort (the budget above should make it unreachable): whole lines up to `limit` bytes. */
function fitLines(text: string, limit: number): string {
  if (utf8Length(text) <= limit) return text;
  const marker = '\n_… cut: the summary is limited to 65,535 bytes._\n';
  const lines = text.split('\n');
  let used = utf8Length(marker);
  let n = 0;
  for (const line of lines) {
    const cost = utf8Length(line) + 1;
    if (used + cost > limit) break;
    used += cost;
    n++;
  }
  return lines.slice(0, n).join('\n') + '\n' + marker;
}

function tableHeader(status: boolean): string[] {
  return status
    ? ['| Rule | Severity | Status | Location | Message |', '| --- | --- | --- | --- | --- |']
    : ['| Rule | Severity | Location | Message |', '| --- | --- | --- | --- |'];
}

function tableRow(r: Reported, ctx: RenderContext, status: boolean): string {
  const f = r.finding;
  const cells = [ruleCell(f, ctx), f.severity];
  if (status) cells.push(r.isNew ? 'new' : 'pre-existing');
  cells.push(location(f.path, f.line), escapeMarkdown(truncateChars(f.message, CELL_MESSAGE_CHARS)));
  return `| ${cells.join(' | ')} |`;
}

function ruleCell(f: Finding, ctx: RenderContext): string {
  const id = escapeMarkdown(f.rule);
  const docs = f.docs !== '' ? f.docs : (ctx.ruleDocs.get(f.rule) ?? '');
  if (docs === '') return id;
  if (ctx.docsBaseUrl !== undefined) return `[${id}](${docsUrl(ctx.docsBaseUrl, docs)})`;
  return `${id} (${codeSpan(docs)})`;
}

/** `- rule at path:line` with the steps nested under it. */
function traceRow(f: Finding): string {
  const lines = [`- ${escapeMarkdown(f.rule)} at ${location(f.path, f.line)}`];
  for (const step of f.trace.slice(0, SUMMARY_TRACE_STEPS)) {
    lines.push(
      `  - ${location(step.path, step.line)} — ${escapeMarkdown(truncateChars(step.message, TRACE_MESSAGE_CHARS))}`,
    );
  }
  const more = f.trace.length - SUMMARY_TRACE_STEPS;
  if (more > 0) lines.push(`  - … ${plural(more, 'more step', 'more steps')}`);
  return lines.join('\n');
}

function noticeRow(n: Notice): string {
  const where =
    n.path === undefined ? '' : `${n.line === undefined ? escapeMarkdown(n.path) : location(n.path, n.line)}: `;
  return `- ${n.kind}: ${where}${escapeMarkdown(truncateChars(n.message, CELL_MESSAGE_CHARS))}`;
}

function location(path: string, line: number): string {
  return `${escapeMarkdown(path)}:${line}`;
}

// ---------------------------------------------------------------------------
// Text: the rules behind the findings

function renderRulesText(input: CheckRunInput, ctx: RenderContext): string {
  const present = new Set([...input.classified.added, ...input.classified.existing].map((f) => f.rule));
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const rule of input.rules) {
    if (!present.has(rule.id) || seen.has(rule.id)) continue;
    seen.add(rule.id);
    const override = Object.hasOwn(input.config.rules, rule.id) ? input.config.rules[rule.id] : undefined;
    const severity = override === undefined || override === 'off' ? rule.severity : override;
    const docs =
      rule.docs === ''
        ? ''
        : ctx.docsBaseUrl !== undefined
          ? `\n\n[Documentation](${docsUrl(ctx.docsBaseUrl, rule.docs)})`
          : `\n\nDocumentation: ${codeSpan(rule.docs)}`;
    const page = input.ruleDocText?.get(rule.id);
    rows.push(
      `\n#### ${escapeMarkdown(rule.id)} (${severity})\n\n**${escapeMarkdown(truncateChars(rule.title, CELL_MESSAGE_CHARS))}**\n\n` +
        `${escapeMarkdown(truncateChars(rule.description, 4 * CELL_MESSAGE_CHARS))}${docs}` +
        (page ? foldedPage(rule.id, page) : ''),
    );
  }
  if (rows.length === 0) return '';
  const block: Block = {
    head: ['### Rules'],
    rows,
    tail: [],
    omitted: (n) => `_… and ${plural(n, 'more rule', 'more rules')}._`,
  };
  const budget = CHECK_RUN_TEXT_LIMIT - utf8Length(compose([block], 'reserve'));
  return fitLines(compose([block], new Map([[block, fitRows(rows, budget)]])), CHECK_RUN_TEXT_LIMIT);
}

/** Largest documentation page shown in `text`; a longer one is cut at a line. */
const DOC_PAGE_BYTES = 12_000;

/**
 * A rule's page inside a folded block, so the check run itself explains the
 * rule (no docs site needed). The page is the app's own Markdown, trusted:
 * only its headings move below the run's own, and it cannot close the fold.
 */
function foldedPage(id: string, page: string): string {
  let body = page.replace(/\r\n?/g, '\n').replace(/<\/?details>/gi, '');
  if (utf8Length(body) > DOC_PAGE_BYTES) {
    const lines = body.split('\n');
    let used = 0;
    let n = 0;
    while (n < lines.length && used + utf8Length(lines[n]) + 1 <= DOC_PAGE_BYTES) used += utf8Length(lines[n++]) + 1;
    body = `${lines.slice(0, n).join('\n')}\n\n_… the page goes on in the rule pack._`;
  }
  body = body.replace(/^(#{1,6}) /gm, (_m, hashes: string) => `${'#'.repeat(Math.min(6, hashes.length + 4))} `).trim();
  return `\n\n<details><summary>The ${escapeMarkdown(id)} rule in full</summary>\n\n${body}\n\n</details>`;
}

// ---------------------------------------------------------------------------
// Annotations

const ANNOTATION_LEVEL: Record<Severity, CheckAnnotation['annotation_level']> = {
  error: 'failure',
  warning: 'warning',
  note: 'notice',
};

const LEVEL_RANK: Record<CheckAnnotation['annotation_level'], number> = { failure: 0, warning: 1, notice: 2 };

/** The annotation of one finding. Columns only when it starts and ends on one line (the API rejects them otherwise). */
export function toAnnotation(f: Finding): CheckAnnotation {
  const start = Math.max(1, Math.trunc(f.line));
  const end = Math.max(start, Math.trunc(f.endLine));
  const annotation: CheckAnnotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: ANNOTATION_LEVEL[f.severity],
    message: truncateUtf8(f.message, ANNOTATION_TEXT_LIMIT),
    title: truncateUtf8(f.rule, ANNOTATION_TITLE_LIMIT),
  };
  if (start === end) {
    const startColumn = Math.max(1, Math.trunc(f.column));
    annotation.start_column = startColumn;
    annotation.end_column = Math.max(startColumn, Math.trunc(f.endColumn));
  }
  if (f.trace.length > 0) {
    annotation.raw_details = joinWithinLimit(
      f.trace.map((step) => `${step.path}:${step.line}: ${step.message}`),
      ANNOTATION_TEXT_LIMIT,
    );
  }
  return annotation;
}

/** Errors (failure) first, then warnings, then notices; within a level by path, line, column, title, message. */
export function sortAnnotations(annotations: readonly CheckAnnotation[]): CheckAnnotation[] {
  return [...annotations].sort(
    (a, b) =>
      LEVEL_RANK[a.annotation_level] - LEVEL_RANK[b.annotation_level] ||
      compareStrings(a.path, b.path) ||
      a.start_line - b.start_line ||
      (a.start_column ?? 0) - (b.start_column ?? 0) ||
      a.end_line - b.end_line ||
      compareStrings(a.title, b.title) ||
      compareStrings(a.message, b.message),
  );
}

/** Sorts (see `sortAnnotations`) and keeps the first `max`; `omitted` counts the rest. */
export function capAnnotations(
  annotations: readonly CheckAnnotation[],
  max = MAX_ANNOTATIONS,
): { kept: CheckAnnotation[]; omitted: number } {
  const sorted = sortAnnotations(annotations);
  const limit = Math.max(0, Math.floor(max));
  return { kept: sorted.slice(0, limit), omitted: Math.max(0, sorted.length - limit) };
}

/** Consecutive requests' worth of annotations, order kept (the API takes at most 50 per request). */
export function batchAnnotations(
  annotations: readonly CheckAnnotation[],
  size = ANNOTATIONS_PER_REQUEST,
): CheckAnnotation[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, not ${size}`);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}

// ---------------------------------------------------------------------------
// Text helpers

/** Characters Markdown (and GFM tables, HTML, entities) give a meaning to. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&#]/g;

/** Plain text for a Markdown line or table cell: line breaks become spaces, special characters are backslash-escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(MARKDOWN_SPECIAL, '\\$&');
}

/** A code span that no backtick in `text` can close early; `|` escaped for GFM tables. */
function codeSpan(text: string): string {
  const flat = text.replace(/\r\n?|\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function docsUrl(base: string, docs: string): string {
  const path = encodeURI(wellFormed(docs.replace(/^\/+/, ''))).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Lone surrogates replaced by U+FFFD (encodeURI throws on them). */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function codePointBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** At most `maxBytes` UTF-8 bytes, cut between code points, with `…` when cut. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const room = maxBytes - 3; // `…` is 3 bytes
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const cost = codePointBytes(ch.codePointAt(0)!);
    if (used + cost > room) break;
    used += cost;
    end += ch.length;
  }
  return `${text.slice(0, end)}…`;
}

/** At most `max` UTF-16 code units, never splitting a surrogate pair, with `…` when cut. */
function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Whole lines up to `limit` bytes, then a line saying how many were left out. */
function joinWithinLimit(lines: string[], limit: number): string {
  const all = lines.join('\n');
  if (utf8Length(all) <= limit) return all;
  const reserve = utf8Length(`… ${count(lines.length)} more lines`) + 1;
  let used = 0;
  let n = 0;
  for (const line of lines) {
    const cost = utf8Length(line) + 1;
    if (used + cost + reserve > limit) break;
    used += cost;
    n++;
  }
  const kept = n > 0 ? lines.slice(0, n) : [truncateUtf8(lines[0] ?? '', limit - reserve - 1)];
  const left = lines.length - kept.length;
  return left > 0 ? [...kept, `… ${plural(left, 'more line', 'more lines')}`].join('\n') : kept.join('\n');
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Severity (most severe first), then path, line, column, rule, fingerprint. */
function bySeverity(findings: readonly Finding[]): Finding[] {
  return sortFindings(findings).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}

/** Digits grouped by commas, the same on every machine. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
