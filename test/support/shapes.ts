/**
 * What the tests read of the JSON report and of SARIF, after `JSON.parse`:
 * the fields they use, typed, so a parsed array is called as what it is.
 */

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
