/** The configuration's `rules:` applied to findings: `off` drops, a severity replaces the rule's own. */
import type { Finding } from '../engine/types.js';
import type { ReviewConfig } from './config.js';

/**
 * Drops findings of rules configured `off` and replaces the severity where
 * the configuration gives one. Apply it to head and base findings alike,
 * before comparing them. Input order is kept; findings are not mutated.
 */
export function applyRuleConfig(findings: readonly Finding[], rules: ReviewConfig['rules']): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const override = Object.hasOwn(rules, finding.rule) ? rules[finding.rule] : undefined;
    if (override === 'off') continue;
    out.push(override === undefined || override === finding.severity ? finding : { ...finding, severity: override });
  }
  return out;
}

/** The rules the configuration switched off. */
export function rulesOff(rules: ReviewConfig['rules']): Set<string> {
  return new Set(Object.entries(rules).flatMap(([id, setting]) => (setting === 'off' ? [id] : [])));
}
