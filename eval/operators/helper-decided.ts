/**
 * The generator's rule for exits right after the call that maps: when
 * initialize maps through a helper (`context.chain` "Init -> Helper ..."),
 * the first failure exit after initialize's call of that helper is the
 * status test of the helper itself. If the helper can fail after its mapping
 * succeeded, the rule reports the leak at the helper's own `return` (the
 * failure is decided there), a line no label field gives. Such an exit is
 * ambiguous for any operator that needs its report site.
 */

import type { FailureExit, Site } from '../labels.js';
import type { OperatorContext } from './context.js';
import { lineOf } from '../ctext.js';
import { type FunctionDef, reach } from '../cfuncs.js';
import { defined } from '../../src/util/defined.js';

/** Function names of a context chain written "A -> B -> C". */
export function chainNames(chain: string | undefined): string[] {
  return (chain ?? '')
    .split('->')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Where initialize calls toward the mapping: the second name of a chain that
 * starts at initialize, else the first call in initialize whose callee
 * reaches the mapping's function (a violation's chain starts elsewhere).
 */
function helperCallLine(ctx: OperatorContext, site: Site, def: FunctionDef): number | undefined {
  const names = chainNames(site.context.chain);
  const c = defined(ctx.c(def.file));
  const tokens = ctx.tokens(def.file);
  const calls = tokens.filter(
    (t, k) => t.start > def.open && t.start < def.close && t.kind === 'id' && tokens[k + 1]?.text === '(',
  );
  const wanted =
    names[0] === def.name && names.length >= 2
      ? (name: string) => name === names[1]
      : (name: string) => name === site.function || reach(ctx.graph().calls, [name]).has(site.function);
  const call = calls.find((t) => wanted(t.text));
  return call ? lineOf(c, call.start) : undefined;
}

export function failureMayBeDecidedInHelper(ctx: OperatorContext, site: Site, exit: FailureExit): boolean {
  const init = ctx.label.initialize.find((i) => i.file === exit.file && ctx.enclosing(exit)?.name === i.name);
  const def = init ? ctx.definition(init) : undefined;
  // An exit outside a labelled initialize has no call to measure from: in doubt.
  if (!def) return true;
  if (site.function === def.name) return false;
  const callLine = helperCallLine(ctx, site, def);
  if (callLine === undefined) return true;
  const after = site.onFailure.exits
    .filter((e) => e.file === def.file && e.line >= callLine)
    .map((e) => e.line)
    .sort((a, b) => a - b);
  return after.length > 0 && after[0] === exit.line;
}
