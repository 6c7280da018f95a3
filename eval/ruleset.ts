/**
 * Which rules and APIs the evaluation compares. The lists are data
 * (`eval/rules.json`), widened by what the labels and the engine name, so a
 * new rule pair joins by being labelled rather than by a code change here.
 */

import { readFileSync } from 'node:fs';
import type { Label } from './labels.js';

export interface RuleSet {
  rules: string[];
  apis: string[];
}

export function readRuleSet(file: string): RuleSet {
  const value = JSON.parse(readFileSync(file, 'utf8')) as { rules?: unknown; apis?: unknown };
  const strings = (v: unknown, field: string): string[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw new Error(`${file}: ${field} must be a list of strings`);
    return v;
  };
  return { rules: strings(value.rules, 'rules'), apis: strings(value.apis, 'apis') };
}

/** The configured rules plus every rule a label expects or calls debatable, in a stable order. */
export function rulesFor(base: RuleSet, labels: readonly Label[]): string[] {
  const rules = new Set(base.rules);
  for (const label of labels) for (const f of [...label.expected, ...label.debatable]) rules.add(f.rule);
  return [...rules];
}

/** The configured APIs plus every API the engine reported call sites of. */
export function apisFor(base: RuleSet, engineApis: Iterable<string>): string[] {
  return [...new Set([...base.apis, ...engineApis])];
}
