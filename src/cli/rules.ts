/** `ndis-review rules` and `ndis-review explain RULE`: the rule pack and ndis-review's own rules, with their pages. */
import { loadRulePack, readRuleDoc, ruleDocsUrl, ruleMeta } from '../engine/rulepack.js';
import type { RuleMeta } from '../engine/types.js';
import { BUILTIN_RULES } from '../review/builtin-rules.js';
import { closest } from '../review/suggest.js';
import { UsageError } from './errors.js';
import { EXIT, type CliIo } from './io.js';

function allRules(): RuleMeta[] {
  return [...loadRulePack().rules.map(ruleMeta), ...BUILTIN_RULES];
}

export function listRules(io: CliIo): number {
  const rules = allRules();
  io.stdout(formatRuleList(rules));
  if (rules.some((r) => r.preview === true))
    io.stdout(
      '\n* preview: off unless .github/ndis-review.yml names it with a severity (rules: { ID: error }); its page says why\n',
    );
  return EXIT.ok;
}

/** Where a rule comes from: the Static Driver Verifier rules it stands for, or ndis-review's own. */
export function ruleOrigin(rule: RuleMeta): string {
  return rule.sdv?.length ? `SDV ${rule.sdv.join(', ')}` : 'own';
}

/** One rule a line, in aligned columns: id, severity, title, origin (SDV rules or own), documentation URL. */
function formatRuleList(rules: readonly RuleMeta[]): string {
  const idWidth = Math.max(0, ...rules.map((rule) => rule.id.length));
  const titleWidth = Math.max(0, ...rules.map((rule) => rule.title.length));
  const originWidth = Math.max(0, ...rules.map((rule) => ruleOrigin(rule).length));
  return rules
    .map(
      (rule) =>
        [
          rule.id.padEnd(idWidth),
          (rule.preview === true ? `${rule.severity}*` : rule.severity).padEnd('warning*'.length),
          rule.title.padEnd(titleWidth),
          ruleOrigin(rule).padEnd(originWidth),
          ruleDocsUrl(rule.docs),
        ].join('  ') + '\n',
    )
    .join('');
}

/** The rule's page as it is written (Markdown), then where it is published. */
export function explainRule(id: string, io: CliIo): number {
  const rules = allRules();
  const rule = rules.find((r) => r.id === id);
  if (rule === undefined) {
    const guess = closest(
      id,
      rules.map((r) => r.id),
    );
    throw new UsageError(
      `unknown rule '${id}'${guess === undefined ? `; the rules are ${rules.map((r) => r.id).join(', ')}` : `; did you mean ${guess}?`}`,
    );
  }
  const page = readRuleDoc(rule.docs) ?? `# ${rule.id}\n\n${rule.title}\n\n${rule.description}\n`;
  io.stdout(`${page.endsWith('\n') ? page : `${page}\n`}\nOnline: ${ruleDocsUrl(rule.docs)}\n`);
  return EXIT.ok;
}
