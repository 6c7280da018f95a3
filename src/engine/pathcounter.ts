/**
 * Counters of loops with a small constant bound: `for (q = NORMAL_QUEUE; q <= HIGH_QUEUE; q++)`.
 *
 * A step (`q++`) used to make the counter unknown, so the loop's second round could take the
 * first round's branch again (`if (q == NORMAL_QUEUE)`): rtlnwifi's queue loop then "re-allocated"
 * the normal queue in the high queue's round, and its cleanup, which frees each queue in turn,
 * looked like it skipped one. Here a local that selects (compared with `==` or `!=` to a constant)
 * and is compared only with small constants in its function keeps an exact value across a step
 * while that value stays within one past the largest of them; comparisons of two known integers are
 * then decided. Any other counter is stepped to unknown as before: one compared with anything
 * unknown (`i < Adapter->Count`) would unroll without end, and one that only counts rounds
 * (`for (ch = 0; ch < MAX_CHANNELS; ch++) if (mask & (1 << ch)) Init(ch);`) would multiply the
 * paths of a loop whose rounds the findings cannot tell apart.
 */
import type { Expr } from './ast.js';
import { stripCasts } from './keys.js';
import { expandUse, MAX_MACRO_NESTING } from './macros.js';
import { walkExprs, type FnDef } from './program.js';
import { integerValue } from './values.js';
import type { State, Val } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';

/** Largest bound a counter is kept exact for: a loop over a few queues, ports or BARs, not a ring. */
const MAX_BOUND = 16n;

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Macro uses a function's comparisons are read through, at most: far past a real function's. */
const MAX_EXPANSIONS = 2_000;

/** Per function: each selecting local's largest compared constant; null where it is compared with anything else or never selects. */
const limitsCache = new WeakMap<FnDef, Map<string, bigint | null>>();

function limitsOf(an: Analysis, fn: FnDef): Map<string, bigint | null> {
  let m = limitsCache.get(fn);
  if (m) return m;
  const limits = new Map<string, bigint | null>();
  const selectors = new Set<string>();
  const note = (name: string, other: Expr, op: string) => {
    const v = integerValue(stripCasts(other), an.program, fn.file);
    const was = limits.get(name);
    if (was === null) return;
    if (v === undefined || v < 0n || v > MAX_BOUND) limits.set(name, null);
    else {
      limits.set(name, was === undefined || v > was ? v : was);
      if (op === '==' || op === '!=') selectors.add(name);
    }
  };
  // Expansions read for comparisons, per function: macros that double at each level (a hostile
  // file's) would otherwise expand exponentially. Past it a counter behind a macro is not one (it is
  // stepped to unknown, as before macros were read here).
  let expansions = MAX_EXPANSIONS;
  const visit = (e: Expr, painted: readonly string[]) => {
    // A comparison written through a project macro (`if (IS_QUEUE(q, NORMAL_QUEUE))`) compares as
    // written out: the counter it selects on is as much a counter.
    if (
      e.t === 'call' &&
      e.f.t === 'id' &&
      painted.length < MAX_MACRO_NESTING &&
      !painted.includes(e.f.n) &&
      expansions > 0
    ) {
      expansions--;
      const name = e.f.n;
      const macro = an.program.resolve(fn.file, name).length ? undefined : an.program.macroBody(fn.file, name);
      if (macro?.params.length === e.a.length) {
        const inside = [...painted, name];
        for (const x of expandUse(e, macro, name, painted, () => undefined, 1).exprs)
          walkExprs({ k: 'exp', e: x, p: e.p }, (y) => {
            visit(y, inside);
          });
      }
      return;
    }
    if (e.t !== 'bin' || !COMPARISONS.has(e.op)) return;
    const l = stripCasts(e.l);
    const r = stripCasts(e.r);
    if (l.t === 'id') note(l.n, r, e.op);
    if (r.t === 'id') note(r.n, l, e.op);
  };
  walkExprs(fn.body, (e) => {
    visit(e, []);
  });
  for (const name of limits.keys()) if (!selectors.has(name)) limits.set(name, null);
  m = limits;
  limitsCache.set(fn, m);
  return m;
}

/** The locals of `fn` that are small loop counters (kept exact across steps). */
export function countersOf(an: Analysis, fn: FnDef): string[] {
  return [...limitsOf(an, fn)].filter(([, bound]) => bound !== null).map(([name]) => name);
}

/** The value of local `target` after `op` (`++`, `--`) from `old`: exact while it is a small counter's. */
export function steppedValue(an: Analysis, target: Expr, op: string, old: Val | undefined, ctx: Ctx): Val {
  const t = stripCasts(target);
  if (t.t !== 'id' || !ctx.env.vars.has(t.n) || !old) return { k: 'top' };
  const n = old.k === 'Z' ? 0n : old.k === 'NZ' ? old.n : undefined;
  const bound = limitsOf(an, ctx.fn).get(t.n);
  if (n === undefined || bound === undefined || bound === null) return { k: 'top' };
  const next = op === '++' ? n + 1n : n - 1n;
  if (next < 0n || next > bound + 1n) return { k: 'top' };
  return next === 0n ? { k: 'Z' } : { k: 'NZ', n: next };
}

/** An integer the path knows without evaluating anything: a constant, or a local's exact value. */
function knownInteger(an: Analysis, e: Expr, s: State, ctx: Ctx): bigint | undefined {
  const x = stripCasts(e);
  if (x.t === 'id' && ctx.env.vars.has(x.n)) {
    const k = keyOf(an, x, ctx.env);
    const v = k === undefined ? undefined : s.vals.get(k);
    return v?.k === 'Z' ? 0n : v?.k === 'NZ' ? v.n : undefined;
  }
  return x.t === 'num' || x.t === 'id' ? integerValue(x, an.program, ctx.fn.file) : undefined;
}

/** `q <= HIGH_QUEUE` with both sides known on this path: its one outcome. */
export function knownOrder(an: Analysis, c: Expr, s: State, ctx: Ctx): boolean | undefined {
  if (c.t !== 'bin' || compare(c.op, 0n, 0n) === undefined) return undefined;
  const l = knownInteger(an, c.l, s, ctx);
  const r = l === undefined ? undefined : knownInteger(an, c.r, s, ctx);
  return l === undefined || r === undefined ? undefined : compare(c.op, l, r);
}

function compare(op: string, l: bigint, r: bigint): boolean | undefined {
  switch (op) {
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    default:
      return undefined;
  }
}
