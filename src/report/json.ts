/**
 * Machine-readable report: a stable, documented subset of the scan result.
 * Fields are copied one by one, so nothing the engine adds to its model
 * leaks into the output without a matching change to `jsonOutputSchema`.
 */

import type { Finding, Fix, TextEdit, TraceStep } from '../engine/types.js';
import { FINGERPRINT_VERSION } from '../review/baseline.js';
import type { Report, ReportNotice, ReportNoticeKind } from '../review/report.js';
import type { SuppressedFinding, Suppression } from '../review/suppress.js';
import { SEVERITIES, sortFindings, sortNotices } from './order.js';

export interface JsonOptions {
  /** The published page of a finding's rule; each finding then carries it as `docsUrl`. */
  docsUrl?: (finding: Finding) => string;
}

export interface JsonTraceStep {
  path: string;
  line: number;
  message: string;
}

export type JsonFinding = Omit<Finding, 'trace' | 'fix'> & { trace: JsonTraceStep[]; docsUrl?: string; fix?: Fix };

export type JsonSuppressed = JsonFinding & { suppression: Suppression };

export interface JsonReport {
  version: string;
  /** Fingerprints are comparable only within one scheme: a baseline must name the same. */
  fingerprintVersion: string;
  root: string;
  files: number;
  complete: boolean;
  /** The notices that withheld a decision: why the result is incomplete, where. */
  incomplete: ReportNotice[];
  findings: JsonFinding[];
  suppressed: JsonSuppressed[];
  /** With a baseline: how many findings it already had (left out of `findings`). */
  baseline?: { preExisting: number };
  notices: ReportNotice[];
}

export function formatJson(report: Report, opts: JsonOptions = {}): string {
  return JSON.stringify(toJsonReport(report, opts), null, 2) + '\n';
}

function toJsonReport(report: Report, opts: JsonOptions): JsonReport {
  const json: JsonReport = {
    version: report.version,
    fingerprintVersion: FINGERPRINT_VERSION,
    root: report.root,
    files: report.files,
    complete: report.complete,
    incomplete: sortNotices(report.notices.filter((n) => n.withheld)).map(toJsonNotice),
    findings: sortFindings(report.findings).map((f) => toJsonFinding(f, opts)),
    suppressed: sortSuppressed(report.suppressed ?? []).map((s) => ({
      ...toJsonFinding(s.finding, opts),
      suppression: { ...s.suppression },
    })),
    notices: sortNotices(report.notices).map(toJsonNotice),
  };
  if (report.preExisting !== undefined) json.baseline = { preExisting: report.preExisting.length };
  return json;
}

function sortSuppressed(list: readonly SuppressedFinding[]): SuppressedFinding[] {
  const order = new Map(sortFindings(list.map((s) => s.finding)).map((f, i) => [f, i]));
  return [...list].sort((a, b) => (order.get(a.finding) ?? 0) - (order.get(b.finding) ?? 0));
}

function toJsonFinding(f: Finding, opts: JsonOptions): JsonFinding {
  const json: JsonFinding = {
    rule: f.rule,
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
    fingerprint: f.fingerprint,
    trace: f.trace.map(toJsonTraceStep),
    docs: f.docs,
  };
  if (f.messageId !== undefined) json.messageId = f.messageId;
  if (opts.docsUrl) json.docsUrl = opts.docsUrl(f);
  if (f.fix) json.fix = { description: f.fix.description, edits: f.fix.edits.map(toJsonEdit) };
  return json;
}

function toJsonEdit(e: TextEdit): TextEdit {
  return {
    path: e.path,
    startLine: e.startLine,
    startColumn: e.startColumn,
    endLine: e.endLine,
    endColumn: e.endColumn,
    text: e.text,
  };
}

function toJsonTraceStep(step: TraceStep): JsonTraceStep {
  return { path: step.path, line: step.line, message: step.message };
}

function toJsonNotice(n: ReportNotice): ReportNotice {
  const notice: ReportNotice = { kind: n.kind, message: n.message };
  if (n.path !== undefined) notice.path = n.path;
  if (n.line !== undefined) notice.line = n.line;
  if (n.withheld) notice.withheld = true;
  return notice;
}

/** A `Record` so that a notice kind added to the model fails to compile until it is documented here. */
const NOTICE_KIND_DESCRIPTIONS: Record<ReportNoticeKind, string> = {
  'not-applicable': 'A rule did not apply, e.g. no initialize callback in the repository.',
  'parse-recovered': 'A file did not parse cleanly; its intact parts were analysed.',
  'skipped-file': 'A file was not analysed: unreadable, too large or binary.',
  unresolved: 'Calls through function pointers the engine cannot follow.',
  budget: 'A path analysis stopped at its step budget.',
  baseline: 'The baseline given could not be used as asked (say, its fingerprints are of another version).',
};

const position = { type: 'integer', minimum: 1 } as const;

const FINDING_REQUIRED = [
  'rule',
  'severity',
  'path',
  'line',
  'column',
  'endLine',
  'endColumn',
  'message',
  'fingerprint',
  'trace',
  'docs',
];

const FINDING_PROPERTIES = {
  rule: { type: 'string', description: 'Rule id, e.g. `ndis/mmap-context`.' },
  severity: { enum: SEVERITIES },
  path: { type: 'string' },
  line: position,
  column: position,
  endLine: position,
  endColumn: { ...position, description: 'Exclusive.' },
  message: { type: 'string' },
  fingerprint: {
    type: 'string',
    minLength: 1,
    description: 'Stable identity of the finding: unchanged when unrelated lines move.',
  },
  trace: { type: 'array', items: { $ref: '#/$defs/traceStep' } },
  docs: { type: 'string', description: 'Rule documentation, relative to the ndis-review package root.' },
  messageId: { type: 'string', description: "Which of the rule's messages (its `messages` in the rule pack)." },
  docsUrl: { type: 'string', description: "The rule's published page." },
  fix: { $ref: '#/$defs/fix' },
};

/** JSON Schema (draft 2020-12) of `formatJson`'s output; `docs/json-schema.json` holds the same document. */
export const jsonOutputSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ndis-review JSON report',
  description:
    'Output of `ndis-review scan --format json`. Lines and columns are 1-based; paths are relative to root, with forward slashes.',
  type: 'object',
  required: [
    'version',
    'fingerprintVersion',
    'root',
    'files',
    'complete',
    'incomplete',
    'findings',
    'suppressed',
    'notices',
  ],
  additionalProperties: false,
  properties: {
    version: { type: 'string', description: 'ndis-review version.' },
    fingerprintVersion: {
      type: 'string',
      description:
        'The fingerprint scheme; a report used as a baseline must have the same (`--baseline` otherwise matches nothing and says so).',
    },
    root: { type: 'string', description: 'The scanned root as given.' },
    files: { type: 'integer', minimum: 0, description: 'Number of source files considered.' },
    complete: {
      type: 'boolean',
      description:
        'False when some decision was withheld (a budget ran out, a source file was skipped, damage or an unresolved call switched a check off): findings may be missing.',
    },
    incomplete: {
      type: 'array',
      description: 'The notices that withheld a decision, with paths and lines: why `complete` is false.',
      items: { $ref: '#/$defs/notice' },
    },
    findings: {
      type: 'array',
      description:
        'What is reported (counted in the exit status), sorted by path, line, column and rule. With a baseline, only findings it did not have.',
      items: { $ref: '#/$defs/finding' },
    },
    suppressed: {
      type: 'array',
      description: 'Findings silenced by a suppression directive: counted nowhere, listed with the directive.',
      items: { $ref: '#/$defs/suppressed' },
    },
    baseline: {
      type: 'object',
      description: 'Present when a baseline (`--baseline`, `--new-since`) was given.',
      required: ['preExisting'],
      additionalProperties: false,
      properties: {
        preExisting: {
          type: 'integer',
          minimum: 0,
          description: 'Findings the baseline already had, left out of `findings`.',
        },
      },
    },
    notices: { type: 'array', items: { $ref: '#/$defs/notice' } },
  },
  $defs: {
    finding: {
      type: 'object',
      required: FINDING_REQUIRED,
      additionalProperties: false,
      properties: FINDING_PROPERTIES,
    },
    suppressed: {
      type: 'object',
      description: 'A finding (every field of a finding) and the directive that suppressed it.',
      required: [...FINDING_REQUIRED, 'suppression'],
      additionalProperties: false,
      properties: {
        ...FINDING_PROPERTIES,
        suppression: {
          type: 'object',
          required: ['kind', 'line', 'column', 'reason'],
          additionalProperties: false,
          properties: {
            kind: { enum: ['disable-line', 'disable-next-line'] },
            line: { ...position, description: "The directive's line." },
            column: position,
            reason: { type: 'string', description: 'The text after `--`; empty when none was given.' },
          },
        },
      },
    },
    fix: {
      type: 'object',
      description: 'A fix the engine is certain of: applying every edit removes the finding and adds none.',
      required: ['description', 'edits'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        edits: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'startLine', 'startColumn', 'endLine', 'endColumn', 'text'],
            additionalProperties: false,
            properties: {
              path: { type: 'string' },
              startLine: position,
              startColumn: position,
              endLine: position,
              endColumn: { ...position, description: 'Exclusive; equal to the start for an insertion.' },
              text: { type: 'string', description: 'The text that replaces the range.' },
            },
          },
        },
      },
    },
    traceStep: {
      type: 'object',
      required: ['path', 'line', 'message'],
      additionalProperties: false,
      properties: {
        path: { type: 'string' },
        line: position,
        message: { type: 'string' },
      },
    },
    notice: {
      type: 'object',
      required: ['kind', 'message'],
      additionalProperties: false,
      properties: {
        kind: {
          oneOf: Object.entries(NOTICE_KIND_DESCRIPTIONS).map(([kind, description]) => ({ const: kind, description })),
        },
        message: { type: 'string' },
        path: { type: 'string' },
        line: position,
        withheld: { const: true, description: 'This notice withheld a decision (the result is incomplete).' },
      },
    },
  },
};
