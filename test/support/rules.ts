/**
 * Rule fixtures from the real rule pack, so tests cannot drift from the
 * titles, severities and pages users see.
 */
import { loadRulePack, ruleMeta } from '../../src/engine/rulepack.js';
import type { Finding, RuleMeta } from '../../src/engine/types.js';
import { BUILTIN_RULES } from '../../src/review/builtin-rules.js';

/** The pack's rules, in pack order. */
export const PACK_RULES: RuleMeta[] = loadRulePack().rules.map(ruleMeta);

/** The pack's rules and ndis-review's own, as a report lists them. */
export const ALL_RULES: RuleMeta[] = [...PACK_RULES, ...BUILTIN_RULES];

export function rule(id: string): RuleMeta {
  const found = ALL_RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id} in the rule pack`);
  return found;
}

/** A finding of a real rule (its severity and docs), with defaults for what a test does not care about. */
export function findingOf(fields: Partial<Finding> & Pick<Finding, 'rule' | 'path' | 'line'>): Finding {
  const meta = ALL_RULES.find((r) => r.id === fields.rule);
  return {
    severity: meta?.severity ?? 'note',
    column: 5,
    endLine: fields.line,
    endColumn: 20,
    message: `message of ${fields.rule}`,
    fingerprint: `fp-${fields.rule}-${fields.path}-${String(fields.line)}`,
    trace: [],
    docs: meta?.docs ?? 'rules/unknown.md',
    ...fields,
  };
}
