/**
 * Machine-readable report: a stable, documented subset of the scan result.
 * Fields are copied one by one, so nothing the engine adds to its model
 * leaks into the output without a matching change to `jsonOutputSchema`.
 */

import type { Finding, Notice, NoticeKind, ScanResult, TraceStep } from '../engine/types.js';
import { SEVERITIES, sortFindings, sortNotices } from './order.js';

interface JsonTraceStep {
  path: string;
  line: number;
  message: string;
}

type JsonFinding = Omit<Finding, 'trace'> & { trace: JsonTraceStep[] };

interface JsonReport {
  version: string;
  root: string;
  files: number;
  complete: boolean;
  /** The notices that withheld a decision: why the result is incomplete, where. */
  incomplete: Notice[];
  findings: JsonFinding[];
  notices: Notice[];
}

export function formatJson(result: ScanResult): string {
  return JSON.stringify(toJsonReport(result), null, 2) + '\n';
}

function toJsonReport(result: ScanResult): JsonReport {
  return {
    version: result.version,
    root: result.root,
    files: result.files,
    complete: result.complete,
    incomplete: sortNotices(result.notices.filter((n) => n.withheld)).map(toJsonNotice),
    findings: sortFindings(result.findings).map(toJsonFinding),
    notices: sortNotices(result.notices).map(toJsonNotice),
  };
}

function toJsonFinding(f: Finding): JsonFinding {
  return {
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
}

function toJsonTraceStep(step: TraceStep): JsonTraceStep {
  return { path: step.path, line: step.line, message: step.message };
}

function toJsonNotice(n: Notice): Notice {
  const notice: Notice = { kind: n.kind, message: n.message };
  if (n.path !== undefined) notice.path = n.path;
  if (n.line !== undefined) notice.line = n.line;
  if (n.withheld) notice.withheld = true;
  return notice;
}

/** A `Record` so that a notice kind added to the model fails to compile until it is documented here. */
const NOTICE_KIND_DESCRIPTIONS: Record<NoticeKind, string> = {
  'not-applicable': 'A rule did not apply, e.g. no initialize callback in the repository.',
  'parse-recovered': 'A file did not parse cleanly; its intact parts were analysed.',
  'skipped-file': 'A file was not analysed: unreadable, too large or binary.',
  unresolved: 'Calls through function pointers the engine cannot follow.',
  budget: 'A path analysis stopped at its step budget.',
};

const position = { type: 'integer', minimum: 1 } as const;

/** JSON Schema (draft 2020-12) of `formatJson`'s output; `docs/json-schema.json` holds the same document. */
export const jsonOutputSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ndis-review JSON report',
  description:
    'Output of `ndis-review scan --format json`. Lines and columns are 1-based; paths are relative to root, with forward slashes.',
  type: 'object',
  required: ['version', 'root', 'files', 'complete', 'incomplete', 'findings', 'notices'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', description: 'ndis-review version.' },
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
      description: 'Sorted by path, line, column and rule.',
      items: { $ref: '#/$defs/finding' },
    },
    notices: { type: 'array', items: { $ref: '#/$defs/notice' } },
  },
  $defs: {
    finding: {
      type: 'object',
      required: [
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
      ],
      additionalProperties: false,
      properties: {
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
