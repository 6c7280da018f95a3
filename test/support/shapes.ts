/**
 * What the tests read of the JSON report and of SARIF, after `JSON.parse`:
 * the fields they use, typed, so a parsed array is called as what it is.
 */

import type { JsonReport } from '../../src/report/json.js';
import type { SarifLog } from '../../src/report/sarif.js';

export interface JsonFinding {
  rule: string;
  path: string;
  line: number;
  severity: string;
  message: string;
}

export interface JsonSuppressed {
  rule: string;
  line: number;
  suppression: unknown;
}

export interface SarifResult {
  ruleId: string;
  baselineState?: string;
  suppressions?: { kind: string; justification?: string }[];
}

export interface SarifRule {
  id: string;
  name: string;
  helpUri?: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: string };
  help: { text: string; markdown?: string };
  properties: { tags: string[] } & Record<string, unknown>;
}

/** The JSON report as `--format json` or formatJson writes it. */
export const parseJsonReport = (text: string): JsonReport => JSON.parse(text) as JsonReport;

/** The SARIF log as `--format sarif` or formatSarif writes it. */
export const parseSarif = (text: string): SarifLog => JSON.parse(text) as SarifLog;
