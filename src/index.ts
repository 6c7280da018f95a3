/**
 * ndis-review's engine as a library, and the one door the CLI and the app
 * come through: scan C sources, load the rule pack, review a scan against a
 * configuration, and format the report as text, JSON or SARIF.
 *
 *   import { scan, reviewScan, DEFAULT_CONFIG, formatSarif } from 'ndis-review';
 *   const report = reviewScan(await scan({ root: 'driver/' }), DEFAULT_CONFIG);
 *   process.stdout.write(formatSarif(report));
 *
 * Importing this module loads the parser (tree-sitter); the CLI's commands
 * that need no scan do not come through here.
 */

// The scan.
export {
  scan,
  listSources,
  isSourcePath,
  ScanError,
  type ScanOptions,
  type SourceFile,
  type SourceList,
} from './engine/scan.js';
export { stopWhen, ScanStopped } from './engine/stop.js';
export {
  FactCache,
  cacheFromEnv,
  engineKey,
  DEFAULT_MAX_FACT_BYTES,
  type CacheEntry,
  type FactCacheOptions,
} from './engine/cache.js';

// The rule pack.
export {
  loadRulePack,
  ruleMeta,
  ruleDocsUrl,
  readRuleDoc,
  readRuleDocs,
  type RulePack,
  type RuleDef,
  type ResourceDef,
  type RoleTable,
} from './engine/rulepack.js';

// What a scan finds.
export type {
  Finding,
  Fix,
  Notice,
  NoticeKind,
  ParseHealth,
  RuleMeta,
  ScanResult,
  ScanStats,
  Severity,
  TextEdit,
  TraceStep,
} from './engine/types.js';

// The review: a scan through a configuration, a baseline.
export { reviewScan, againstBaseline, type Report, type ReportNotice } from './review/report.js';
export { DEFAULT_CONFIG, parseConfig, type ReviewConfig, type FailOn } from './review/config.js';

// The reporters.
export { formatText, type TextOptions } from './report/text.js';
export { formatJson, jsonOutputSchema, type JsonOptions } from './report/json.js';
export { formatSarif, SARIF_SCHEMA_URI, type SarifOptions } from './report/sarif.js';
export { sortFindings, severityRank } from './report/order.js';

export { packageVersion } from './package.js';
