/**
 * SARIF 2.1.0 for GitHub code scanning. GitHub reads a subset of SARIF and
 * rejects a whole upload over some limits, so this stays within the subset
 * and the limits its "SARIF support for code scanning" page documents:
 * required `help.text`, descriptions and a region with `startLine` on every
 * result, at most 25,000 results per run and 10,000 thread-flow locations per
 * result (of which it shows 1,000).
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Notice, RuleMeta, ScanResult, Severity, TraceStep } from '../engine/types.js';
import { severityRank, sortFindings, sortNotices } from './order.js';

export interface SarifOptions {
  /** Rule documentation (markdown) by rule id, shown by GitHub next to each alert. */
  rulesText?: Record<string, string>;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Our key in `partialFingerprints`; versioned so the fingerprint scheme can change without clashing. */
export const FINGERPRINT_KEY = 'ndisReview/v1';
const SOURCE_ROOT = '%SRCROOT%';

/** GitHub's documented limits. */
export const GITHUB_MAX_RESULTS = 25_000;
/** GitHub accepts up to 10,000 but displays only 1,000; more would only make the file bigger. */
export const GITHUB_MAX_TRACE_LOCATIONS = 1_000;
const GITHUB_MAX_DESCRIPTION = 1_024;
const GITHUB_MAX_RULE_NAME = 255;

interface Region {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region?: Region;
}

interface Location {
  physicalLocation: PhysicalLocation;
  message?: { text: string };
}

interface ReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: Severity };
  properties: { tags: string[]; 'problem.severity': string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Severity;
  message: { text: string };
  locations: Location[];
  partialFingerprints: Record<string, string>;
  codeFlows?: { threadFlows: { locations: { location: Location }[] }[] }[];
}

interface Notification {
  level: 'note' | 'warning';
  message: { text: string };
  descriptor?: { id: string };
  locations?: Location[];
}

export function formatSarif(result: ScanResult, opts: SarifOptions = {}): string {
  const rules = ruleDescriptors(result, opts.rulesText ?? {});
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const { kept, omitted } = capToGitHubLimit(sortFindings(result.findings));
  const notifications = sortNotices(result.notices).map(toNotification);
  if (omitted > 0) notifications.push(omittedResultsNotification(omitted));

  const run = {
    tool: { driver: { name: 'ndis-review', version: result.version, rules } },
    ...originalUriBaseIds(result.root),
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    results: kept.map((finding) => toResult(finding, ruleIndex.get(finding.rule) ?? -1)),
    // The engine counts columns in JavaScript string characters, i.e. UTF-16 code units.
    columnKind: 'utf16CodeUnits',
  };
  const log = { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
  return JSON.stringify(log, null, 2) + '\n';
}

/** The rules that ran, plus any rule a finding names that is missing from them, so every `ruleIndex` resolves. */
function ruleDescriptors(result: ScanResult, rulesText: Record<string, string>): ReportingDescriptor[] {
  const rules = [...result.rules];
  const known = new Set(rules.map((rule) => rule.id));
  for (const finding of sortFindings(result.findings)) {
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
  return rules.map((rule) => toReportingDescriptor(rule, rulesText[rule.id]));
}

function toReportingDescriptor(rule: RuleMeta, docsMarkdown: string | undefined): ReportingDescriptor {
  const title = rule.title || rule.id;
  const description = rule.description || title;
  return {
    id: rule.id,
    name: truncate(rule.id, GITHUB_MAX_RULE_NAME),
    shortDescription: { text: truncate(title, GITHUB_MAX_DESCRIPTION) },
    fullDescription: { text: truncate(description, GITHUB_MAX_DESCRIPTION) },
    // GitHub requires a non-empty help.text; without the page, point at where it lives.
    help: docsMarkdown
      ? { text: docsMarkdown, markdown: docsMarkdown }
      : { text: `${description}\n\nDocumentation: ${rule.docs} in the ndis-review package.` },
    defaultConfiguration: { level: rule.severity },
    properties: { tags: ruleTags(rule.id), 'problem.severity': problemSeverity(rule.severity) },
  };
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
function capToGitHubLimit(sorted: Finding[]): { kept: Finding[]; omitted: number } {
  if (sorted.length <= GITHUB_MAX_RESULTS) return { kept: sorted, omitted: 0 };
  const mostSevere = [...sorted]
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
    .slice(0, GITHUB_MAX_RESULTS);
  return { kept: sortFindings(mostSevere), omitted: sorted.length - GITHUB_MAX_RESULTS };
}

function omittedResultsNotification(omitted: number): Notification {
  return {
    level: 'warning',
    message: {
      text: `${omitted} findings left out: GitHub code scanning accepts at most ${GITHUB_MAX_RESULTS} results per run; the most severe were kept.`,
    },
  };
}

function toResult(finding: Finding, ruleIndex: number): SarifResult {
  const result: SarifResult = {
    ruleId: finding.rule,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocation(finding.path, findingRegion(finding)) }],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
  };
  if (finding.trace.length > 0) {
    const steps = finding.trace.slice(0, GITHUB_MAX_TRACE_LOCATIONS);
    result.codeFlows = [{ threadFlows: [{ locations: steps.map((step) => ({ location: traceLocation(step) })) }] }];
  }
  return result;
}

function traceLocation(step: TraceStep): Location {
  const region: Region = { startLine: atLeastOne(step.line) };
  if (step.column !== undefined) region.startColumn = atLeastOne(step.column);
  return { physicalLocation: physicalLocation(step.path, region), message: { text: step.message } };
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

function physicalLocation(relativePath: string, region?: Region): PhysicalLocation {
  const location: PhysicalLocation = { artifactLocation: { uri: relativeUri(relativePath), uriBaseId: SOURCE_ROOT } };
  if (region) location.region = region;
  return location;
}

/** A relative URI reference: each path segment percent-encoded (spaces, `#`, `%`, non-ASCII). */
function relativeUri(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
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

function toNotification(notice: Notice): Notification {
  const notification: Notification = {
    level: 'note',
    message: { text: notice.message },
    descriptor: { id: notice.kind },
  };
  if (notice.path !== undefined) {
    const region = notice.line === undefined ? undefined : { startLine: atLeastOne(notice.line) };
    notification.locations = [{ physicalLocation: physicalLocation(notice.path, region) }];
  }
  return notification;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
