/** The configuration's `rules:` applied to findings: `off` drops, a severity replaces the rule's own. */
import type { Finding } from '../engine/types.js';
import type { ReviewConfig } from './config.js';

/**
 * Drops findings of rules configured `off`, and of preview rules the
 * configuration does not turn on with a severity; replaces the severity where
 * the configuration gives one. Apply it to head and base findings alike,
 * before comparing them. Input order is kept; findings are not mutated.
 */
export function applyRuleConfig(
  findings: readonly Finding[],
  rules: ReviewConfig['rules'],
  preview: ReadonlySet<string> = new Set(),
): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const override = Object.hasOwn(rules, finding.rule) ? rules[finding.rule] : undefined;
    if (override === 'off') continue;
    if (override === undefined && preview.has(finding.rule)) continue;
    out.push(override === undefined || override === finding.severity ? finding : { ...finding, severity: override });
  }
  return out;
}

/** The rules the configuration switched off, and the preview rules it did not switch on. */
export function rulesOff(rules: ReviewConfig['rules'], preview: ReadonlySet<string> = new Set()): Set<string> {
  const off = new Set(Object.entries(rules).flatMap(([id, setting]) => (setting === 'off' ? [id] : [])));
  for (const id of preview) if (!Object.hasOwn(rules, id)) off.add(id);
  return off;
}

/** The rules the configuration names with a severity: the preview rules among them run (`ScanOptions.enable`). */
export function rulesOn(rules: ReviewConfig['rules']): string[] {
  return Object.entries(rules).flatMap(([id, setting]) => (setting === 'off' ? [] : [id]));
}

/** The preview rules among those that ran (see `RuleMeta.preview`). */
export function previewRules(rules: readonly { id: string; preview?: boolean }[]): Set<string> {
  return new Set(rules.filter((r) => r.preview === true).map((r) => r.id));
}
