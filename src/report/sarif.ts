/**
 * SARIF 2.1.0 for GitHub code scanning. GitHub reads a subset of SARIF and
 * rejects a whole upload over some limits, so this stays within the subset
 * and the limits its "SARIF support for code scanning" page documents:
 * required `help.text`, descriptions and a region with `startLine` on every
 * result, at most 25,000 results per run and 10,000 thread-flow locations per
 * result (of which it shows 1,000).
 *
 * Code scanning takes each upload as the whole state of the repository, so
 * results are never filtered by a baseline (`baselineState` says new or
 * unchanged instead). It does not honour `suppressions` either: a suppressed
 * result uploaded opens an alert (see github/codeql-action#1230), so the
 * SARIF meant for upload leaves suppressed findings out (`suppressed:
 * 'omit'`), while the full report marks them.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Fix, RuleMeta, Severity, TraceStep } from '../engine/types.js';
import { FINGERPRINT_VERSION } from '../review/baseline.js';
import type { Report, ReportNotice } from '../review/report.js';
import type { Suppression } from '../review/suppress.js';
import { severityRank, sortFindings, sortNotices } from './order.js';

export interface SarifOptions {
  /** Rule documentation (markdown) by rule id, shown by GitHub next to each alert. */
  rulesText?: ReadonlyMap<string, string> | Record<string, string>;
  /** A rule's published page (`helpUri`). */
  docsUrl?: (rule: RuleMeta) => string;
  /** Suppressed findings: `mark` them with `suppressions` (the default), or `omit` them (for code scanning). */
  suppressed?: 'mark' | 'omit';
  /**
   * The scanned root relative to the repository's top level, with forward
   * slashes (`drivers/e1k`; empty at the top): prefixed to every path, so
   * locations resolve on GitHub whatever folder was scanned.
   */
  repositoryPath?: string;
  /** The repository's top level on this machine (`%SRCROOT%`); defaults to the scanned root. */
  repositoryRoot?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Our key in `partialFingerprints`; versioned so the fingerprint scheme can change without clashing. */
export const FINGERPRINT_KEY = FINGERPRINT_VERSION;
const SOURCE_ROOT = '%SRCROOT%';

/** GitHub's documented limits. */
export const GITHUB_MAX_RESULTS = 25_000;
/** GitHub accepts up to 10,000 but displays only 1,000; more would only make the file bigger. */
export const GITHUB_MAX_TRACE_LOCATIONS = 1_000;
const GITHUB_MAX_DESCRIPTION = 1_024;
const GITHUB_MAX_RULE_NAME = 255;

export interface Region {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region?: Region;
}

export interface Location {
  physicalLocation: PhysicalLocation;
  message?: { text: string };
}

export interface ReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  helpUri?: string;
  /** `enabled: false` for a preview rule: off unless the configuration turns it on. */
  defaultConfiguration: { level: Severity; enabled?: boolean };
  /** `sdv`: the Static Driver Verifier rules the rule stands for (absent for ndis-review's own). */
  properties: { tags: string[]; 'problem.severity': string; sdv?: string[] };
}

export interface SarifFix {
  description: { text: string };
  artifactChanges: {
    artifactLocation: { uri: string; uriBaseId: string };
    replacements: { deletedRegion: Region; insertedContent: { text: string } }[];
  }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Severity;
  message: { text: string };
  locations: Location[];
  partialFingerprints: Record<string, string>;
  codeFlows?: { threadFlows: { locations: { location: Location }[] }[] }[];
  fixes?: SarifFix[];
  suppressions?: { kind: 'inSource'; status: 'accepted'; justification?: string; location?: Location }[];
  baselineState?: 'new' | 'unchanged';
}

export interface Notification {
  level: 'note' | 'warning';
  message: { text: string };
  descriptor?: { id: string };
  locations?: Location[];
}

/** The one run of the log formatSarif writes. */
export interface SarifRun {
  tool: { driver: { name: string; version: string; rules: ReportingDescriptor[] } };
  originalUriBaseIds?: Record<string, { uri: string }>;
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: Notification[] }[];
  results: SarifResult[];
  columnKind: string;
}

/** The SARIF log formatSarif writes. */
export interface SarifLog {
  $schema: string;
  version: string;
  runs: SarifRun[];
}

/** A finding as SARIF sees it: reported, suppressed, or known to the baseline. */
interface Entry {
  finding: Finding;
  suppression?: Suppression;
  baselineState?: 'new' | 'unchanged';
}

export function formatSarif(report: Report, opts: SarifOptions = {}): string {
  const entries = entriesOf(report, opts.suppressed ?? 'mark');
  const rulesText: ReadonlyMap<string, string> =
    opts.rulesText instanceof Map ? opts.rulesText : new Map(Object.entries(opts.rulesText ?? {}));
  const rules = ruleDescriptors(report, entries, rulesText, opts.docsUrl);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const { kept, omitted } = capToGitHubLimit(entries);
  const uri = uriFor(opts.repositoryPath ?? '');
  const notifications = sortNotices(report.notices).map((n) => toNotification(n, uri));
  if (omitted > 0) notifications.push(omittedResultsNotification(omitted));

  const run: SarifRun = {
    tool: { driver: { name: 'ndis-review', version: report.version, rules } },
    ...originalUriBaseIds(opts.repositoryRoot ?? report.root),
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    results: kept.map((entry) => toResult(entry, ruleIndex.get(entry.finding.rule) ?? -1, uri)),
    // The engine counts columns in JavaScript string characters, i.e. UTF-16 code units.
    columnKind: 'utf16CodeUnits',
  };
  const log: SarifLog = { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
  return JSON.stringify(log, null, 2) + '\n';
}

/** Reported findings, then (when marked) suppressed ones, then those the baseline had; in report order. */
function entriesOf(report: Report, suppressed: 'mark' | 'omit'): Entry[] {
  const withBaseline = report.preExisting !== undefined;
  const entries: Entry[] = report.findings.map((finding) =>
    withBaseline ? { finding, baselineState: 'new' } : { finding },
  );
  for (const finding of report.preExisting ?? []) entries.push({ finding, baselineState: 'unchanged' });
  if (suppressed === 'mark') {
    for (const s of report.suppressed ?? []) entries.push({ finding: s.finding, suppression: s.suppression });
  }
  const order = new Map(sortFindings(entries.map((e) => e.finding)).map((f, i) => [f, i]));
  return entries.sort((a, b) => (order.get(a.finding) ?? 0) - (order.get(b.finding) ?? 0));
}

/** The rules that ran, plus any rule a finding names that is missing from them, so every `ruleIndex` resolves. */
function ruleDescriptors(
  report: Report,
  entries: readonly Entry[],
  rulesText: ReadonlyMap<string, string>,
  docsUrl: ((rule: RuleMeta) => string) | undefined,
): ReportingDescriptor[] {
  const rules = [...report.rules];
  const known = new Set(rules.map((rule) => rule.id));
  for (const { finding } of entries) {
    if (known.has(finding.rule)) continue;
    known.add(finding.rule);
    rules.push({
      id: finding.rule,
      severity: finding.severity,
      title: finding.rule,
      description: '',
      docs: finding.docs,
    });
  }
  return rules.map((rule) => toReportingDescriptor(rule, rulesText.get(rule.id), docsUrl?.(rule)));
}

function toReportingDescriptor(
  rule: RuleMeta,
  docsMarkdown: string | undefined,
  helpUri: string | undefined,
): ReportingDescriptor {
  const title = rule.title || rule.id;
  const description = rule.description || title;
  const descriptor: ReportingDescriptor = {
    id: rule.id,
    name: truncate(rule.id, GITHUB_MAX_RULE_NAME),
    shortDescription: { text: truncate(title, GITHUB_MAX_DESCRIPTION) },
    fullDescription: { text: truncate(description, GITHUB_MAX_DESCRIPTION) },
    // GitHub requires a non-empty help.text; without the page, point at where it lives.
    help: docsMarkdown
      ? { text: docsMarkdown, markdown: docsMarkdown }
      : { text: `${description}\n\nDocumentation: ${helpUri ?? `${rule.docs} in the ndis-review package`}.` },
    defaultConfiguration: rule.preview === true ? { level: rule.severity, enabled: false } : { level: rule.severity },
    properties: { tags: ruleTags(rule.id), 'problem.severity': problemSeverity(rule.severity) },
  };
  if (helpUri !== undefined && helpUri !== '') descriptor.helpUri = helpUri;
  if (rule.sdv?.length) descriptor.properties.sdv = [...rule.sdv];
  return descriptor;
}

/** Tags let GitHub users filter alerts: the rule family (`ndis` in `ndis/mmap-context`) and its kind. */
function ruleTags(ruleId: string): string[] {
  const slash = ruleId.indexOf('/');
  return slash > 0 ? ['correctness', ruleId.slice(0, slash)] : ['correctness'];
}

/** GitHub's vocabulary for non-security rules. */
function problemSeverity(severity: Severity): string {
  return severity === 'note' ? 'recommendation' : severity;
}

/**
 * GitHub rejects a run with more than 25,000 results and shows the most
 * severe first, so when over the limit keep the most severe findings.
 */
function capToGitHubLimit(sorted: Entry[]): { kept: Entry[]; omitted: number } {
  if (sorted.length <= GITHUB_MAX_RESULTS) return { kept: sorted, omitted: 0 };
  // Stable sort: within a severity, the report order stays.
  const mostSevere = new Set(
    [...sorted]
      .sort((a, b) => severityRank(a.finding.severity) - severityRank(b.finding.severity))
      .slice(0, GITHUB_MAX_RESULTS),
  );
  return { kept: sorted.filter((e) => mostSevere.has(e)), omitted: sorted.length - GITHUB_MAX_RESULTS };
}

function omittedResultsNotification(omitted: number): Notification {
  return {
    level: 'warning',
    message: {
      text: `${String(omitted)} findings left out: GitHub code scanning accepts at most ${String(GITHUB_MAX_RESULTS)} results per run; the most severe were kept.`,
    },
  };
}

type Uri = (relativePath: string) => string;

function toResult(entry: Entry, ruleIndex: number, uri: Uri): SarifResult {
  const { finding } = entry;
  const result: SarifResult = {
    ruleId: finding.rule,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocation(uri(finding.path), findingRegion(finding)) }],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
  };
  if (finding.trace.length > 0) {
    const steps = finding.trace.slice(0, GITHUB_MAX_TRACE_LOCATIONS);
    result.codeFlows = [
      { threadFlows: [{ locations: steps.map((step) => ({ location: traceLocation(step, uri) })) }] },
    ];
  }
  if (finding.fix) result.fixes = [toFix(finding.fix, uri)];
  if (entry.suppression) {
    const suppression: NonNullable<SarifResult['suppressions']>[number] = {
      kind: 'inSource',
      status: 'accepted',
      location: {
        physicalLocation: physicalLocation(uri(finding.path), {
          startLine: atLeastOne(entry.suppression.line),
          startColumn: atLeastOne(entry.suppression.column),
        }),
      },
    };
    if (entry.suppression.reason !== '') suppression.justification = entry.suppression.reason;
    result.suppressions = [suppression];
  }
  if (entry.baselineState) result.baselineState = entry.baselineState;
  return result;
}

/** One artifact change per file, its replacements in order; an empty deleted region is an insertion. */
function toFix(fix: Fix, uri: Uri): SarifFix {
  const byPath = new Map<string, SarifFix['artifactChanges'][number]>();
  for (const edit of fix.edits) {
    let change = byPath.get(edit.path);
    if (!change) {
      change = { artifactLocation: { uri: uri(edit.path), uriBaseId: SOURCE_ROOT }, replacements: [] };
      byPath.set(edit.path, change);
    }
    change.replacements.push({
      deletedRegion: {
        startLine: atLeastOne(edit.startLine),
        startColumn: atLeastOne(edit.startColumn),
        endLine: atLeastOne(edit.endLine),
        endColumn: atLeastOne(edit.endColumn),
      },
      insertedContent: { text: edit.text },
    });
  }
  return { description: { text: fix.description }, artifactChanges: [...byPath.values()] };
}

function traceLocation(step: TraceStep, uri: Uri): Location {
  const region: Region = { startLine: atLeastOne(step.line) };
  if (step.column !== undefined) region.startColumn = atLeastOne(step.column);
  return { physicalLocation: physicalLocation(uri(step.path), region), message: { text: step.message } };
}

/**
 * SARIF requires every region number to be at least 1 and the end not before
 * the start; one malformed region would make GitHub reject the whole file.
 */
function findingRegion(finding: Finding): Region {
  const startLine = atLeastOne(finding.line);
  const startColumn = atLeastOne(finding.column);
  const endLine = Math.max(startLine, atLeastOne(finding.endLine));
  const endColumn = endLine === startLine ? Math.max(startColumn, finding.endColumn) : atLeastOne(finding.endColumn);
  return { startLine, startColumn, endLine, endColumn };
}

function atLeastOne(n: number): number {
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function physicalLocation(uri: string, region?: Region): PhysicalLocation {
  const location: PhysicalLocation = { artifactLocation: { uri, uriBaseId: SOURCE_ROOT } };
  if (region) location.region = region;
  return location;
}

/**
 * Paths relative to the scanned root as relative URI references from the
 * repository's top level: the root's own path first, then each segment
 * percent-encoded (spaces, `#`, `%`, non-ASCII).
 */
function uriFor(repositoryPath: string): Uri {
  const prefix = repositoryPath.split('/').filter((s) => s !== '' && s !== '.');
  return (relativePath) => [...prefix, ...relativePath.split('/')].map(encodeURIComponent).join('/');
}

/**
 * SARIF wants relative URIs' base resolvable; GitHub itself resolves them
 * against the repository root and ignores this. Only a directory scan has a
 * real root to name (with `files` the root is a label).
 */
function originalUriBaseIds(root: string): { originalUriBaseIds?: Record<string, { uri: string }> } {
  if (!path.isAbsolute(root)) return {};
  const href = pathToFileURL(root).href;
  return { originalUriBaseIds: { [SOURCE_ROOT]: { uri: href.endsWith('/') ? href : `${href}/` } } };
}

function toNotification(notice: ReportNotice, uri: Uri): Notification {
  const notification: Notification = {
    level: 'note',
    message: { text: notice.message },
    descriptor: { id: notice.kind },
  };
  if (notice.path !== undefined) {
    const region = notice.line === undefined ? undefined : { startLine: atLeastOne(notice.line) };
    notification.locations = [{ physicalLocation: physicalLocation(uri(notice.path), region) }];
  }
  return notification;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
