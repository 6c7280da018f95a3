/**
 * The pack's constant-argument rules under mutation ("break-constant"): at each direct call a rule of kind
 * `constant-argument` checks (`NdisStallExecution`'s delay, the pool tag of `NdisAllocateMemoryWithTag`
 * and `...Priority`), the checked argument is replaced by a constant the rule forbids (a delay of 1,000
 * microseconds, a tag of 0); the rule must then report the call, at the line of its name. The calls and
 * limits are read from the rule data, so a rule of that kind joins by being in the pack.
 *
 * Excluded by stated rules: a file written in C++ though named like C (a C++ driver's header), a call
 * in an `#if 0` branch (never compiled), an argument that crosses a directive line, and a call where the labels already place a finding of the rule (the mutant cannot add
 * it).
 */

import { loadRulePack, type ConstantArgumentRule } from '../../src/engine/rulepack.js';
import { lineOf } from '../ctext.js';
import { inIfZero } from '../cfuncs.js';
import { keepingLines, type OperatorOutput } from '../mutant.js';
import { type OperatorContext, placeKey } from './context.js';
import { labelledAt } from './pairing.js';
import { callArguments, crossesDirective } from './statements.js';

export const BREAK_CONSTANT = 'break-constant';

/** C++ in a file the extension calls C (a header of a C++ driver): words and tokens C has not. */
const CPLUSPLUS_TEXT = /\b(?:class|namespace)\s+\w|\btemplate\s*<|\w::~?\w|\boperator\s*(?:new|delete)\b/;

/** A value the comparison reports: over (or under) the limit by a wide margin, or the limit itself for `==`. */
export function violating(compare: ConstantArgumentRule['compare'], limit: number): number {
  switch (compare) {
    case '>':
    case '>=':
      return Math.max(1000, limit * 20);
    case '<':
    case '<=':
      return Math.min(-1000, limit - 1000);
    case '==':
      return limit;
    case '!=':
      return limit + 1;
  }
}

const LABELLED = {
  expected: 'the labels already place a finding of the rule at the call',
  debatable: 'the labels call a finding at the call debatable',
  false: 'the labels judge a finding at the call false (it is reported already)',
} as const;

export function breakConstant(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const rules = loadRulePack().rules.filter((r): r is ConstantArgumentRule => r.kind === 'constant-argument');
  for (const rule of rules) {
    const value = String(violating(rule.compare, rule.limit));
    for (const spec of rule.calls) {
      for (const file of ctx.files()) {
        const c = ctx.c(file);
        if (!c?.masked.includes(spec.call)) continue;
        const tokens = ctx.tokens(file);
        tokens.forEach((t, k) => {
          if (t.kind !== 'id' || t.text !== spec.call || tokens[k + 1]?.text !== '(') return;
          // A prototype or a definition is not a call.
          if (tokens[k - 1]?.kind === 'id' && !['return', 'else'].includes(tokens[k - 1].text)) return;
          const line = lineOf(c, t.start);
          const place = { file, line };
          const exclude = (why: string, detail: string): void => {
            out.excluded.push(ctx.exclusion(BREAK_CONSTANT, why, place, detail));
          };
          if (CPLUSPLUS_TEXT.test(c.masked)) {
            exclude('the file is C++ (a class, template, namespace or ::), which the engine does not read', spec.call);
            return;
          }
          if (inIfZero(c, t.start)) {
            exclude('the call is in an #if 0 branch (never compiled)', spec.call);
            return;
          }
          const arg = callArguments(tokens, k + 1)[spec.arg] as { from: number; to: number } | undefined;
          if (!arg || arg.to <= arg.from) {
            exclude('the call has no such argument', `${spec.call} argument ${String(spec.arg)}`);
            return;
          }
          const start = tokens[arg.from].start;
          const end = tokens[arg.to - 1].end;
          if (crossesDirective(c, start, end)) {
            exclude('the argument crosses a directive line', spec.call);
            return;
          }
          const expected = { rule: rule.id, file, line };
          const known = labelledAt(ctx, expected);
          if (known) {
            exclude(LABELLED[known], '');
            return;
          }
          out.mutants.push({
            id: `${BREAK_CONSTANT}@${placeKey(place)}:${String(t.start - c.lineStarts[line - 1] + 1)}`,
            operator: BREAK_CONSTANT,
            file,
            line,
            description: `${spec.call}'s ${spec.name} ${c.text.slice(start, end).trim()} replaced by ${value}`,
            edits: [{ file, start, end, text: keepingLines(c.text.slice(start, end), value) }],
            expected: [expected],
            rules: [rule.id],
          });
        });
      }
    }
  }
  return out;
}
