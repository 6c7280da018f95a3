/**
 * Pointers NDIS never passes as NULL: a callback's own pointer parameters
 * (the adapter context, the parameters structure) and locals given one of
 * them and nothing else. A path that finds one of them NULL is not a path
 * NDIS takes; the rules that walk a callback's paths read such tests as
 * decided.
 */
import type { Expr, Stmt } from '../ast.js';
import { stripCasts } from '../keys.js';
import { expandUse, MAX_MACRO_NESTING } from '../macros.js';
import { walkExprs, walkStmts, type FnDef, type Program } from '../program.js';

/**
 * Pointers NDIS hands the callback, which it never passes as NULL (the
 * adapter context, the parameters structure), and locals given one of them
 * (`PNIC nic = (PNIC)MiniportAdapterContext;`) and nothing else: a path that
 * tests one of them for NULL and finds it so is not a path NDIS takes.
 */
export function givenByNdis(fn: FnDef): Set<string> {
  const pointer = (ty: string, ptr: number) => ptr > 0 || /^(?:NDIS_HANDLE|PVOID|P[A-Z][A-Z0-9_]*)$/.test(ty);
  const out = new Set(fn.params.filter((p) => pointer(p.ty, p.ptr)).map((p) => p.n));
  const given = new Map<string, boolean>();
  const note = (name: string, value: Expr | undefined) => {
    const v = value ? stripCast(value) : undefined;
    given.set(name, (given.get(name) ?? true) && v?.t === 'id' && out.has(v.n));
  };
  // A declaration without an initializer stores nothing (`PNIC nic; nic = (PNIC)Context;` is given).
  walkStmts(fn.body, (s) => {
    if (s.k === 'decl') for (const d of s.d) if (d.init) note(d.n, d.init);
  });
  walkExprs(fn.body, (e) => {
    if (e.t === 'asg' && e.l.t === 'id') note(e.l.n, e.op === '=' ? e.r : undefined);
  });
  for (const [name, ok] of given) if (ok) out.add(name);
  return out;
}

/**
 * A test written through project macros (`#define IS_NULL(p) ((p) == NULL)`, `if (!NOT_NULL(p))`), as
 * the expression it expands to, through `!`, `&&` and `||`: the walks of these rules read a condition's
 * form, which a macro use hides. Itself where it uses no expression macro (a function, an unknown name).
 */
export function testThroughMacros(program: Program, file: string, e: Expr): Expr {
  let byExpr = expandedTests.get(program);
  if (!byExpr) expandedTests.set(program, (byExpr = new WeakMap()));
  let hit = byExpr.get(e);
  if (!hit) byExpr.set(e, (hit = expandTest(program, file, e, 0, { left: MAX_TEST_EXPANSIONS })));
  return hit;
}

/** Macro uses one condition is read through, at most: macros that double at each level would be exponential. */
const MAX_TEST_EXPANSIONS = 64;

/**
 * Per program (its macros) and condition (one function's, so of one file): a cached syntax tree is
 * read again by a later scan whose macros may differ.
 */
const expandedTests = new WeakMap<Program, WeakMap<Expr, Expr>>();

function expandTest(program: Program, file: string, e: Expr, depth: number, budget: { left: number }): Expr {
  if (depth >= MAX_MACRO_NESTING) return e;
  const x = stripCasts(e);
  if (x.t === 'un' && x.op === '!') {
    const inner = expandTest(program, file, x.e, depth + 1, budget);
    return inner === x.e ? e : { ...x, e: inner };
  }
  if (x.t === 'bin' && (x.op === '&&' || x.op === '||')) {
    const l = expandTest(program, file, x.l, depth + 1, budget);
    const r = expandTest(program, file, x.r, depth + 1, budget);
    return l === x.l && r === x.r ? e : { ...x, l, r };
  }
  if (x.t !== 'call' || x.f.t !== 'id' || budget.left <= 0 || program.resolve(file, x.f.n).length > 0) return e;
  const macro = program.macroBody(file, x.f.n);
  if (macro?.params.length !== x.a.length) return e;
  budget.left--;
  const expansion = expandUse(x, macro, x.f.n, [], () => undefined, 1);
  return expansion.exprs.length === 1 ? expandTest(program, file, expansion.exprs[0], depth + 1, budget) : e;
}

export function stripCast(e: Expr): Expr {
  return e.t === 'cast' ? stripCast(e.e) : e;
}

/** `x == NULL`, `NULL != x`, `x == 0`: the name tested. */
export function nullTested(c: Extract<Expr, { t: 'bin' }>): string | undefined {
  const isNull = (e: Expr) => {
    const x = stripCast(e);
    return (x.t === 'id' && (x.n === 'NULL' || x.n === 'nullptr')) || (x.t === 'num' && /^0[uUlL]*$/.test(x.v));
  };
  const l = stripCast(c.l);
  const r = stripCast(c.r);
  if (l.t === 'id' && isNull(c.r)) return l.n;
  if (r.t === 'id' && isNull(c.l)) return r.n;
  return undefined;
}

/**
 * What a body stores in each plain name (`T x = e`, `x = e`): the value, or undefined for a store of
 * no single value (`x += e`, `x++`, `&x` handed on).
 */
export function storesByName(body: Stmt): ReadonlyMap<string, readonly (Expr | undefined)[]> {
  let hit = storesCache.get(body);
  if (!hit) storesCache.set(body, (hit = readStores(body)));
  return hit;
}

/** Per body: a context rule asks once per call site it reaches, and the walk of a body is the cost. */
const storesCache = new WeakMap<Stmt, Map<string, (Expr | undefined)[]>>();

function readStores(body: Stmt): Map<string, (Expr | undefined)[]> {
  const stores = new Map<string, (Expr | undefined)[]>();
  const note = (name: string, value: Expr | undefined) => stores.set(name, [...(stores.get(name) ?? []), value]);
  walkStmts(body, (s) => {
    if (s.k === 'decl') for (const d of s.d) if (d.init) note(d.n, d.init);
  });
  walkExprs(body, (e) => {
    if (e.t === 'asg' && e.l.t === 'id') note(e.l.n, e.op === '=' ? e.r : undefined);
    else if ((e.t === 'post' || (e.t === 'un' && (e.op === '++' || e.op === '--' || e.op === '&'))) && e.e.t === 'id')
      note(e.e.n, undefined);
  });
  return stores;
}

/** Locals a body stores into once and never again (`BOOLEAN gone = (nic == NULL);`): what they hold. */
export function storedOnce(fn: FnDef): Map<string, Expr> {
  const out = new Map<string, Expr>();
  for (const [name, values] of storesByName(fn.body)) if (values.length === 1 && values[0]) out.set(name, values[0]);
  return out;
}

/**
 * The truth of `x`, `!x`, `x == NULL` or `x != NULL` for a pointer in `nonNull`, else undefined; a local
 * in `stored` (`storedOnce`) is read as what it holds.
 */
export function nonNullTruth(
  c: Expr,
  nonNull: ReadonlySet<string>,
  stored?: ReadonlyMap<string, Expr>,
  depth = 0,
): boolean | undefined {
  const e = stripCast(c);
  if (e.t === 'id') {
    if (nonNull.has(e.n)) return true;
    const held = stored?.get(e.n);
    return held && depth < 4 ? nonNullTruth(held, nonNull, stored, depth + 1) : undefined;
  }
  if (e.t === 'un' && e.op === '!') {
    const t = nonNullTruth(e.e, nonNull, stored, depth);
    return t === undefined ? undefined : !t;
  }
  if (e.t === 'bin' && (e.op === '==' || e.op === '!=')) {
    const name = nullTested(e);
    if (name !== undefined && nonNull.has(name)) return e.op === '!=';
  }
  return undefined;
}
