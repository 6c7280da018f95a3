/**
 * The check run of a pull request, as pure data: which findings are new,
 * the conclusion the configuration asks for, the Markdown summary and the
 * annotations, all within the limits of GitHub's check runs API.
 *
 * GitHub measures `output.summary` and `output.text` in UTF-8 bytes ("summary
 * exceeds a maximum bytesize of 65535"), so every limit here is counted in
 * UTF-8 bytes; that also keeps each text within 65,535 UTF-16 code units.
 */

import { loadRulePack } from '../engine/rulepack.js';
import type { Finding, Notice, RuleMeta, Severity } from '../engine/types.js';
import { SEVERITIES, severityRank, sortFindings, sortNotices } from '../report/order.js';
import { fitLines, fitRows, truncateChars, truncateUtf8, utf8Length } from '../report/utf8.js';
import { count, plural } from '../util/words.js';
import { conclusionOf } from '../review/conclusion.js';
import type { SuppressedFinding } from '../review/suppress.js';
import { capAnnotations, CHECK_RUN_TITLE_LIMIT, MAX_ANNOTATIONS, toAnnotation } from './annotations.js';
import type { AppConfig, CheckRunReport, ClassifiedFindings } from './types.js';

// The shared review layer and the annotations, under the names the app has always imported from here.
export { classify } from '../review/classify.js';
export { applyRuleConfig } from '../review/rule-config.js';
export {
  ANNOTATION_TEXT_LIMIT,
  ANNOTATION_TITLE_LIMIT,
  ANNOTATIONS_PER_REQUEST,
  batchAnnotations,
  capAnnotations,
  CHECK_RUN_TITLE_LIMIT,
  MAX_ANNOTATIONS,
  sortAnnotations,
  toAnnotation,
} from './annotations.js';

/** Largest `output.summary` and `output.text`, in UTF-8 bytes. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;

/** A table cell shows at most this many characters of a message (the annotation has all of it). */
const CELL_MESSAGE_CHARS = 1000;
/** A trace in the summary shows at most this many steps, each message at most this many characters. */
const SUMMARY_TRACE_STEPS = 50;
const TRACE_MESSAGE_CHARS = 500;
/** Notices may use at most this much of the summary, so findings keep the room. */
const NOTICE_BUDGET = 8192;

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
  /** Base of the documentation links, e.g. `https://github.com/o/r/blob/v1/`; default: the rule pack's `docsBase`. */
  docsBaseUrl?: string;
  /** Each rule's documentation page (Markdown), shown folded under the rule in `text`. */
  ruleDocText?: ReadonlyMap<string, string>;
  /** Most annotations to send (default `MAX_ANNOTATIONS`); the summary says how many were left out. */
  maxAnnotations?: number;
  /**
   * Findings the pull request silences with a directive it adds (see
   * `addedSuppressions`): listed in the summary, and an error among them
   * keeps the run from `success` unless the configuration trusts suppressions.
   */
  addedSuppressions?: SuppressedFinding[];
  /** Every finding head suppresses (the summary counts them). */
  suppressed?: number;
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
    docsBaseUrl: input.docsBaseUrl ?? loadRulePack().docsBase,
    ruleDocs: new Map(input.rules.map((r) => [r.id, r.docs])),
    showStatus: config.report === 'all',
  };
  const report: CheckRunReport = {
    conclusion: conclusionOf(classified, config, input.addedSuppressions),
    title: truncateUtf8(titleOf(classified, input.files), CHECK_RUN_TITLE_LIMIT),
    summary: renderSummary(input, reported, existing, annotations.length, omittedAnnotations, ctx),
    annotations,
  };
  const text = renderRulesText(input, ctx);
  if (text !== '') report.text = text;
  return report;
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
  docsBaseUrl: string;
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
  const added = input.addedSuppressions ?? [];
  const suppressions: Block = {
    head: [
      '### New suppressions',
      '',
      suppressionsIntro(added, input.suppressed ?? added.length, config.trustSuppressions),
      '',
      '| Rule | Severity | Location | Directive | Reason |',
      '| --- | --- | --- | --- | --- |',
    ],
    rows: bySeverity(added.map((s) => s.finding)).map((f) => {
      const s = added.find((x) => x.finding === f);
      return s === undefined ? '' : suppressionRow(s, ctx);
    }),
    tail: [],
    omitted: (n) => `_… and ${plural(n, 'more suppression', 'more suppressions')} not listed._`,
  };
  const notices: Block = {
    head: ['### Notices', ''],
    rows: sortNotices(input.notices).map(noticeRow),
    tail: [],
    omitted: (n) => `_… and ${plural(n, 'more notice', 'more notices')}._`,
  };

  const parts: Part[] = [header, reported.length > 0 ? table : noneLine, traces, suppressions, before, fixed, notices];

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
  // New suppressions stay in view whatever else is cut: a reviewer has to see what a pull request silences.
  kept.set(suppressions, take(suppressions, NOTICE_BUDGET));
  const tableKept = reported.length > 0 ? take(table) : 0;
  kept.set(table, tableKept);
  traces.rows = reported
    .slice(0, tableKept)
    .filter((r) => r.finding.trace.length > 0)
    .map((r) => traceRow(r.finding));
  kept.set(traces, take(traces));
  kept.set(before, take(before));

  return fitCheckRunText(compose(parts, kept));
}

function suppressionsIntro(added: readonly SuppressedFinding[], all: number, trusted: boolean): string {
  const errors = added.filter((s) => s.finding.severity === 'error').length;
  const lead = `This pull request adds ${plural(added.length, 'suppression directive that silences a finding', 'suppression directives that silence findings')}`;
  const total = all > added.length ? ` (${count(all)} suppressed in all)` : '';
  if (errors === 0 || trusted) {
    return `${lead}${total}.${errors > 0 ? ' The configuration trusts suppressions (`trustSuppressions: true`), so they do not change the conclusion.' : ''}`;
  }
  return `${lead}${total}. ${plural(errors, 'of them silences an error', 'of them silence errors')}, so this run does not conclude \`success\`: a reviewer should agree. Set \`trustSuppressions: true\` in the base branch's configuration to let suppressions stand on their own.`;
}

function suppressionRow(s: SuppressedFinding, ctx: RenderContext): string {
  const f = s.finding;
  const reason =
    s.suppression.reason === ''
      ? '_none given_'
      : escapeMarkdown(truncateChars(s.suppression.reason, CELL_MESSAGE_CHARS));
  return `| ${ruleCell(f, ctx)} | ${f.severity} | ${location(f.path, f.line)} | ${s.suppression.kind} at line ${String(s.suppression.line)} | ${reason} |`;
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

/** A summary or text the app changed after rendering, cut by whole lines to GitHub's byte limit. */
export function fitCheckRunText(text: string): string {
  return fitLines(text, CHECK_RUN_TEXT_LIMIT, '\n_… cut: the summary is limited to 65,535 bytes._\n');
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
  return `[${id}](${docsUrl(ctx.docsBaseUrl, docs)})`;
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
  return `${escapeMarkdown(path)}:${String(line)}`;
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
    const docs = rule.docs === '' ? '' : `\n\n[Documentation](${docsUrl(ctx.docsBaseUrl, rule.docs)})`;
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
  return fitCheckRunText(compose([block], new Map([[block, fitRows(rows, budget)]])));
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
// Text helpers

/** Characters Markdown (and GFM tables, HTML, entities) give a meaning to. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&#]/g;

/** Plain text for a Markdown line or table cell: line breaks become spaces, special characters are backslash-escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(MARKDOWN_SPECIAL, '\\$&');
}

function docsUrl(base: string, docs: string): string {
  const path = encodeURI(wellFormed(docs.replace(/^\/+/, ''))).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Lone surrogates replaced by U+FFFD (encodeURI throws on them). */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Severity (most severe first), then path, line, column, rule, fingerprint. */
function bySeverity(findings: readonly Finding[]): Finding[] {
  return sortFindings(findings).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}
