/**
 * Function-like macros expanded at analysis time, where the code uses them,
 * within the analysis's step budget.
 */
import type { Expr, Stmt } from './ast.js';
import { walkExprs } from './program.js';
import { stripCasts } from './keys.js';
import { MAX_NESTING } from './extract.js';
import { MAX_MACRO_NESTING, exprDeeperThan, expandUse, type Expansion, type MacroDefinition } from './macros.js';
import type { State, Val } from './pathstate.js';
import { BudgetExceeded, MAX_STEPS, type Analysis, type Ctx } from './pathcontext.js';
import { evalExpr } from './patheval.js';
import { learnUnconditional } from './pathinert.js';
import { isReadOnlyCall } from './values.js';

/**
 * `expandUse` charged to the analysis: each macro body put in costs a step. Past the step
 * budget, or with an expansion nested deeper than the parser's limit, the analysis stops.
 */
export function expandCounted(
  an: Analysis,
  use: Extract<Expr, { t: 'call' }>,
  macro: MacroDefinition,
  name: string,
  painted: readonly string[],
  next: (name: string) => MacroDefinition | undefined,
): Expansion {
  const x = expandUse(use, macro, name, painted, next, MAX_STEPS - an.steps);
  an.steps += x.steps;
  if (x.truncated || an.steps > MAX_STEPS || x.exprs.some((e) => exprDeeperThan(e, MAX_NESTING)))
    throw new BudgetExceeded();
  return x;
}

/** Expands a macro use (as `expandCounted`) and visits each expression of the expansion, one level deeper. */
export function visitExpansion(
  an: Analysis,
  use: Extract<Expr, { t: 'call' }>,
  macro: MacroDefinition,
  name: string,
  painted: readonly string[],
  next: (name: string) => MacroDefinition | undefined,
  depth: number,
  visit: (e: Expr, painted: readonly string[], depth: number) => void,
): void {
  const x = expandCounted(an, use, macro, name, painted, next);
  for (const y of x.exprs)
    walkExprs({ k: 'exp', e: y, p: use.p }, (inner) => {
      visit(inner, x.painted, depth + 1);
    });
}

/**
 * A function-like macro used in code: its body with the arguments put in,
 * at the use site, wrapper chains unwrapped (see `expandUse`). As in C, a
 * macro used inside its own expansion is not expanded again: there it is a
 * call of a function nothing defines. Each macro body put in costs a step;
 * past the step budget or the nesting limit the analysis stops (a budget
 * notice), never the call stack.
 */
export function expandMacro(
  an: Analysis,
  body: Stmt,
  params: string[],
  use: Extract<Expr, { t: 'call' }>,
  s: State,
  ctx: Ctx,
): { state: State; val: Val }[] {
  // The macro's own name, behind an alias (`#define MAP_IT MapWindow`), is what C leaves alone inside.
  const name = use.f.t === 'id' ? an.program.aliasOf(ctx.fn.file, use.f.n) : '';
  const around = ctx.macros ?? { painted: [], depth: 0 };
  if (around.painted.includes(name))
    return evalArgsForEffect(an, use.a, s, ctx).map((state) => ({ state, val: { k: 'top' } }));
  if (around.depth >= MAX_MACRO_NESTING) throw new BudgetExceeded();
  const x = expandHere(an, use, { params, body }, name, ctx);
  let acc: { state: State; val: Val }[] = [{ state: s, val: { k: 'top' } }];
  for (const [i, e] of x.exprs.entries()) {
    // A statement macro is read as a sequence, its `if` bodies run whichever way the test goes. What
    // a test with no effect of its own would learn there selects nothing, and would only split the
    // path into copies that differ in a flag (`pathinert.ts`); so such a test teaches only what it
    // reads through, unless it is the macro's value.
    // Every expression but the macro's value, and that too where the use's value is discarded
    // (`ASSERT(p && q);` read as the WDK's `((void)(e))`).
    if (i < x.exprs.length - 1 || ctx.discarded === use) {
      acc = acc.flatMap((a) => evalForEffect(an, e, a.state, x.ctx)).map((state) => ({ state, val: { k: 'top' } }));
      continue;
    }
    const next: { state: State; val: Val }[] = [];
    for (const a of acc) next.push(...evalExpr(an, e, a.state, x.ctx));
    acc = next;
  }
  return acc;
}

/** A name the walk keeps as a call, never expands: a function, or the tracked acquire or release (behind any alias). */
export function keptAsCall(an: Analysis, ctx: Ctx, name: string): boolean {
  const alias = an.program.aliasOf(ctx.fn.file, name);
  const r = an.resource;
  return alias === r.acquire.call || alias === r.release.call || an.program.resolve(ctx.fn.file, name).length > 0;
}

/**
 * A macro use expanded where the walk is (macros inside it expanded unless kept as calls): its
 * expressions, and the context to read them in, with the macro painted and one level deeper.
 */
export function expandHere(
  an: Analysis,
  use: Extract<Expr, { t: 'call' }>,
  macro: MacroDefinition,
  name: string,
  ctx: Ctx,
): { exprs: Expr[]; ctx: Ctx } {
  const around = ctx.macros ?? { painted: [], depth: 0 };
  // What the use expands to turns only on the names around it and the file's macros and functions
  // (`keptAsCall`, `macroBody`), which one analysis does not change: expanded once, charged each time.
  // Kept by file, then by name and the macros around: mostly the name alone, a string the program
  // holds, so no new string is hashed on every path.
  const key = around.painted.length ? `${name}\n${around.painted.join(',')}` : name;
  let byFile = an.expansions.get(use);
  if (!byFile) an.expansions.set(use, (byFile = new Map<string, Map<string, { macro: object; x: Expansion }>>()));
  let byKey = byFile.get(ctx.fn.file);
  const hit = byKey?.get(key);
  if (hit?.macro !== macro.body) {
    const x = expandCounted(an, use, macro, name, around.painted, (n) =>
      keptAsCall(an, ctx, n) ? undefined : an.program.macroBody(ctx.fn.file, n),
    );
    // `expandCounted` has charged the steps and checked the nesting (it throws past either).
    if (!byKey) byFile.set(ctx.fn.file, (byKey = new Map<string, { macro: object; x: Expansion }>()));
    byKey.set(key, { macro: macro.body, x });
    return { exprs: x.exprs, ctx: { ...ctx, macros: { painted: x.painted, depth: around.depth + 1 } } };
  }
  chargeAgain(an, hit.x);
  return { exprs: hit.x.exprs, ctx: { ...ctx, macros: { painted: hit.x.painted, depth: around.depth + 1 } } };
}

/**
 * A remembered expansion charged as `expandCounted` charges a fresh one: its steps, and past the
 * budget the analysis stops (a fresh expansion that would have stopped partway, its chain longer
 * than the steps left, is one whose steps overrun the budget).
 */
function chargeAgain(an: Analysis, x: Expansion): void {
  an.steps += x.steps;
  if (an.steps > MAX_STEPS) throw new BudgetExceeded();
}

/**
 * `rhs` is a project macro whose expansion is a call of an acquire that returns its handle
 * (`#define MP_ALLOC_WORKITEM(h) NdisAllocateIoWorkItem(h)`): that call, and the context to read it
 * in, so `A->Item = MP_ALLOC_WORKITEM(h);` names what it acquires as the call written out does.
 */
export function macroReturningAcquire(
  an: Analysis,
  rhs: Expr,
  ctx: Ctx,
): { call: Extract<Expr, { t: 'call' }>; ctx: Ctx } | undefined {
  const r = an.resource.acquire;
  if (r.result !== 'non-null-return') return undefined;
  const use = stripCasts(rhs);
  if (use.t !== 'call' || use.f.t !== 'id') return undefined;
  const name = use.f.n;
  const macro = an.program.macroBody(ctx.fn.file, name);
  if (macro?.params.length !== use.a.length || keptAsCall(an, ctx, name)) return undefined;
  // Only a macro that reaches the acquire is expanded here (the expansion costs steps).
  if (!an.program.expandName(ctx.fn.file, name).some((x) => x.name === r.call)) return undefined;
  const x = expandHere(an, use, macro, an.program.aliasOf(ctx.fn.file, name), ctx);
  if (x.exprs.length !== 1) return undefined;
  const inner = stripCasts(x.exprs[0]);
  if (inner.t !== 'call' || inner.f.t !== 'id' || an.program.aliasOf(ctx.fn.file, inner.f.n) !== r.call)
    return undefined;
  return { call: inner, ctx: x.ctx };
}

/**
 * A call's arguments evaluated for their effects only (the callee is not walked, so their values
 * reach nothing the walk keeps). An argument that only reads is not evaluated as a value: a
 * comparison there (`DbgPrint("%d", p == NULL)`, `#x` of an ASSERT) would split the path on a value
 * no later step reads; what it reads through is still learned (`p->F` is not NULL).
 */
export function evalArgsForEffect(an: Analysis, args: Expr[], s: State, ctx: Ctx): State[] {
  let acc: State[] = [s];
  for (const a of args) acc = acc.flatMap((st) => evalForEffect(an, a, st, ctx));
  return acc;
}

/**
 * An expression whose value is discarded, evaluated for what it does: what only reads is learned
 * from (`quietForm`); a comparison's operands are evaluated, the comparison is not (XF_Q_DEL_TAIL's
 * `if (((l) = (h)->blink) == (h))` assigns `l` whichever way its test goes, and splitting on the
 * test doubled a cleanup loop's paths at every use). `&&`, `||` and `?:` run their later operands
 * only one way, so they are evaluated as they are.
 */
export function evalForEffect(an: Analysis, e: Expr, s: State, ctx: Ctx): State[] {
  const quiet = quietForm(an, e, ctx);
  if (quiet) {
    learnUnconditional(an, quiet, s, ctx);
    return [s];
  }
  if (e.t === 'cast' || (e.t === 'un' && e.op !== '++' && e.op !== '--' && e.op !== '*'))
    return evalForEffect(an, e.e, s, ctx);
  if (e.t === 'bin' && e.op !== '&&' && e.op !== '||')
    return evalForEffect(an, e.l, s, ctx).flatMap((st) => evalForEffect(an, e.r, st, ctx));
  return evalExpr(an, e, s, ctx).map((r) => r.state);
}

/**
 * The expression with the uses of macros that only read put in (`!IsQueueEmpty(&a->Q)` as
 * `!((&a->Q)->Head == NULL)`), or undefined where it has an effect: a call of anything else, an
 * assignment, an increment. ASSERT's test is such a use; taken for a call, it was evaluated as a
 * value, and each ASSERT in a cleanup routine split every path in two.
 */
function quietForm(an: Analysis, e: Expr, ctx: Ctx): Expr | undefined {
  const q = (x: Expr): Expr | undefined => quietForm(an, x, ctx);
  switch (e.t) {
    case 'call': {
      const name = e.f.t === 'id' ? e.f.n : undefined;
      if (name === undefined) return undefined;
      // A WDK call that only reads what it is handed (`IsListEmpty(&a->Sends)`), when nothing here defines it.
      if (isReadOnlyCall(name) && !keptAsCall(an, ctx, name) && !an.program.macroBody(ctx.fn.file, name))
        return e.a.every((a) => q(a) !== undefined) ? e : undefined;
      if (keptAsCall(an, ctx, name)) return undefined;
      const around = ctx.macros ?? { painted: [], depth: 0 };
      const alias = an.program.aliasOf(ctx.fn.file, name);
      if (around.painted.includes(alias) || around.depth >= MAX_MACRO_NESTING) return undefined;
      const mb = an.program.macroBody(ctx.fn.file, name);
      if (mb?.params.length !== e.a.length) return undefined;
      const x = expandHere(an, e, mb, alias, ctx);
      return x.exprs.length === 1 ? quietForm(an, x.exprs[0], x.ctx) : undefined;
    }
    case 'asg':
      return undefined;
    case 'post':
      return undefined;
    case 'un': {
      if (e.op === '++' || e.op === '--') return undefined;
      const inner = q(e.e);
      return inner && { ...e, e: inner };
    }
    case 'cast': {
      const inner = q(e.e);
      return inner && { ...e, e: inner };
    }
    case 'fld': {
      const o = q(e.o);
      return o && { ...e, o };
    }
    case 'idx': {
      const o = q(e.o);
      const i = o && q(e.i);
      return o && i && { ...e, o, i };
    }
    case 'bin':
    case 'seq': {
      const l = q(e.l);
      const r = l && q(e.r);
      return l && r && { ...e, l, r };
    }
    case 'cond': {
      const c = q(e.c);
      const a = c && q(e.a);
      const b = a && q(e.b);
      return c && a && b && { ...e, c, a, b };
    }
    case 'init':
      return e.items.every((it) => q(it.e) !== undefined) ? e : undefined;
    default:
      return e;
  }
}
