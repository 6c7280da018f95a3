/**
 * Operator "drop-halt-call": halt forgets to call the function that releases
 * a mapping. The first call of a site's `inHalt.chain` is deleted; every
 * site released through that call must then get `ndis/unmap-in-halt`.
 */

import type { Site } from '../labels.js';
import { type Mutant, type OperatorOutput, deletingStatement } from '../mutant.js';
import { RULE_IN_HALT } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { haltHolding, initializeCallsHalt, otherReleaseReachable, severalCallbacks } from './halt.js';
import { callStatement, callsOnLine, crossesDirective } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const DROP_HALT_CALL = 'drop-halt-call';

export function dropHaltCall(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const groups = new Map<string, Site[]>();
  for (const site of ctx.label.sites) {
    const first = site.inHalt.chain.at(0);
    if (site.inHalt.verdict !== 'released' || !first) continue;
    const key = `${placeKey(first)} ${first.call}`;
    groups.set(key, [...(groups.get(key) ?? []), site]);
  }
  for (const sites of groups.values()) {
    const step = sites[0].inHalt.chain[0];
    const exclude = (rule: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(DROP_HALT_CALL, rule, step, detail));
    };
    if (sites.some((s) => s.inHalt.chain.length === 1)) {
      exclude('halt releases directly (delete-unmap covers it)', step.call);
      continue;
    }
    if (severalCallbacks(ctx)) {
      exclude('several initialize or halt callbacks', '');
      continue;
    }
    const halt = haltHolding(ctx, step);
    if (!halt) {
      exclude('the chain does not start in a labelled halt', step.call);
      continue;
    }
    if (initializeCallsHalt(ctx, halt)) {
      exclude('initialize calls halt', halt.name);
      continue;
    }
    const c = defined(ctx.c(step.file));
    const tokens = ctx.tokens(step.file);
    const calls = callsOnLine(c, tokens, step.call, step.line);
    if (calls.length !== 1) {
      exclude(
        calls.length === 0 ? 'no such call at the line (macro in the way)' : 'several such calls on the line',
        step.call,
      );
      continue;
    }
    const statement = callStatement(tokens, calls[0]);
    if (!statement) {
      exclude('the call is not a statement of its own', step.call);
      continue;
    }
    if (crossesDirective(c, statement.start, statement.end)) {
      exclude('the statement spans a preprocessor line', step.call);
      continue;
    }
    const still = sites.map((s) => otherReleaseReachable(ctx, halt, s, [], statement)).find((r) => r !== undefined);
    if (still) {
      exclude('halt may still reach a release another way', placeKey(still));
      continue;
    }
    const mutant: Mutant = {
      id: `${DROP_HALT_CALL}@${placeKey(step)}`,
      operator: DROP_HALT_CALL,
      file: step.file,
      line: step.line,
      description: `halt no longer calls ${step.call}`,
      edits: [deletingStatement(step.file, c.text, statement)],
      expected: sites.map((s) => ({ rule: RULE_IN_HALT, file: s.file, line: s.line })),
    };
    out.mutants.push(mutant);
  }
  return out;
}
