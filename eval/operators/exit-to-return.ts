/**
 * Operator "exit-to-return": a cleanup jump of initialize becomes an early
 * `return NDIS_STATUS_FAILURE;`, skipping the cleanup. Each `break`/`goto`
 * listed in a site's `onFailure.exits` (with the release that covers it) is
 * edited in place; the sites whose exits list it then leak there:
 * `ndis/unmap-on-failure` at that line (one finding, naming them all).
 */

import type { FailureExit, Site } from '../labels.js';
import type { OperatorOutput } from '../mutant.js';
import { FAILURE_RETURN, RULE_ON_FAILURE } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { failureMayBeDecidedInHelper } from './helper-decided.js';
import { crossesDirective, jumpStatement, keywordsOnLine } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const EXIT_TO_RETURN = 'exit-to-return';

const JUMPS = new Set(['break', 'goto']);

export function exitToReturn(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const groups = new Map<string, { exit: FailureExit; sites: Site[]; covered: boolean }>();
  for (const site of ctx.label.sites) {
    for (const exit of site.onFailure.exits) {
      if (!JUMPS.has(exit.kind)) continue;
      const key = `${placeKey(exit)} ${exit.kind}`;
      const group = groups.get(key) ?? { exit, sites: [], covered: true };
      group.sites.push(site);
      if (exit.releasedAt === null) group.covered = false;
      groups.set(key, group);
    }
  }
  for (const { exit, sites, covered } of groups.values()) {
    const exclude = (rule: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(EXIT_TO_RETURN, rule, exit, detail));
    };
    if (!covered) {
      exclude('the exit already leaks', exit.kind);
      continue;
    }
    if (exit.infeasible) {
      exclude('no run reaches the exit (an equivalent mutant)', exit.kind);
      continue;
    }
    if (sites.some((s) => failureMayBeDecidedInHelper(ctx, s, exit))) {
      exclude('the failure may be decided inside the mapping helper', exit.kind);
      continue;
    }
    const holder = ctx.enclosing(exit);
    if (!holder || !ctx.label.initialize.some((i) => i.name === holder.name && i.file === holder.file)) {
      exclude('the exit is not in a labelled initialize', exit.kind);
      continue;
    }
    const c = defined(ctx.c(exit.file));
    const tokens = ctx.tokens(exit.file);
    const jumps = keywordsOnLine(c, tokens, exit.kind, exit.line);
    if (jumps.length !== 1) {
      exclude(
        jumps.length === 0 ? 'no such jump at the line (macro in the way)' : 'several such jumps on the line',
        exit.kind,
      );
      continue;
    }
    const statement = jumpStatement(tokens, jumps[0]);
    if (!statement || crossesDirective(c, statement.start, statement.end)) {
      exclude('not a plain jump statement', exit.kind);
      continue;
    }
    out.mutants.push({
      id: `${EXIT_TO_RETURN}@${placeKey(exit)}`,
      operator: EXIT_TO_RETURN,
      file: exit.file,
      line: exit.line,
      description: `${exit.kind} becomes an early return of a failure`,
      edits: [{ file: exit.file, start: statement.start, end: statement.end, text: FAILURE_RETURN }],
      // One finding at the exit, naming every site held there.
      expected: [{ rule: RULE_ON_FAILURE, file: exit.file, line: exit.line }],
    });
  }
  return out;
}
