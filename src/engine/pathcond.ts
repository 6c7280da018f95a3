/**
 * Conditions on one path: each feasible truth value with the state that
 * learned it. A status tested zero or not, a pointer NULL or not, a flag bit
 * set or clear, storage compared with a constant: what the test learns is
 * kept where something reads it again.
 */
import type { Expr, Pos } from './ast.js';
import { exprText } from './extract.js';
import { stripCasts } from './keys.js';
import { constantTruth, integerValue } from './values.js';
import { clone, type Origin, type State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import { evalExpr, exact } from './patheval.js';
import { flagKey, singleBitEquality, zeroBits } from './pathflags.js';
import { resVal } from './pathresource.js';
import { isRetested, isTracked, lastName } from './pathnames.js';
import { expandHere, keptAsCall } from './pathmacro.js';
import { MAX_MACRO_NESTING } from './macros.js';
import { aliased } from './pathalias.js';
import { knownOrder } from './pathcounter.js';

/**
 * A condition's outcomes: each feasible truth value with the state that
 * learned it. `x == 0`, `!x`, `x != NDIS_STATUS_SUCCESS`, `NT_SUCCESS(x)`, `NT_ERROR(x)`,
 * `(x & BIT) == BIT`, `x` and `&&`/`||` of them are understood; anything else forks unlearned.
 */
export function evalCond(
  an: Analysis,
  e: Expr,
  s: State,
  ctx: Ctx,
  p: Pos | undefined,
): { truth: boolean; state: State }[] {
  if (an.aliasing) {
    const x = aliased(an, e, s, ctx);
    if (x !== e) return evalCond(an, x, s, ctx, p);
  }
  const c = stripCasts(e);
  if (c.t === 'un' && c.op === '!')
    return evalCond(an, c.e, s, ctx, p).map((o) => ({ truth: !o.truth, state: o.state }));
  if (c.t === 'bin' && (c.op === '&&' || c.op === '||')) {
    const out: { truth: boolean; state: State }[] = [];
    for (const l of evalCond(an, c.l, s, ctx, p)) {
      if ((c.op === '&&' && !l.truth) || (c.op === '||' && l.truth)) out.push(l);
      else out.push(...evalCond(an, c.r, l.state, ctx, p));
    }
    return out;
  }
  if (c.t === 'bin' && (c.op === '==' || c.op === '!=')) {
    const zl = isZeroConstant(an, c.l, ctx);
    const zr = isZeroConstant(an, c.r, ctx);
    if (zl || zr) {
      const other = zr ? c.l : c.r;
      return zeroTest(an, other, s, ctx, p, e).map((o) => ({
        truth: c.op === '==' ? o.zero : !o.zero,
        state: o.state,
      }));
    }
    const eq = c.op === '==';
    const bitSide = singleBitEquality(an, c.l, c.r, ctx) ? c.l : singleBitEquality(an, c.r, c.l, ctx) ? c.r : undefined;
    if (bitSide)
      return zeroTest(an, bitSide, s, ctx, p, e).map((o) => ({ truth: eq ? !o.zero : o.zero, state: o.state }));
    const out: { truth: boolean; state: State }[] = [];
    for (const l of evalExpr(an, c.l, s, ctx))
      for (const r of evalExpr(an, c.r, l.state, ctx)) {
        const lv = exact(l.val);
        const rv = exact(r.val);
        // Both known (an enum state set on this path against a constant): one way only.
        if (lv !== undefined && rv !== undefined) {
          out.push({ truth: (lv === rv) === eq, state: r.state });
          continue;
        }
        const same = clone(r.state);
        same.split = r.state.split = ++an.splits;
        an.openSplits++;
        // On the equal branch, tracked storage compared with a constant holds that constant.
        const known =
          rv !== undefined ? { side: c.l, v: r.val } : lv !== undefined ? { side: c.r, v: l.val } : undefined;
        if (known) {
          const k = keyOf(an, stripCasts(known.side), ctx.env);
          if (k && !same.res.has(k) && isTracked(an, k) && same.vals.get(k)?.k !== 'sym') same.vals.set(k, known.v);
        }
        out.push({ truth: eq, state: same }, { truth: !eq, state: r.state });
      }
    return out;
  }
  const status = statusTest(c);
  if (status) {
    // NT_ERROR is NT_SUCCESS's failure side as far as a status that succeeded or failed goes.
    return zeroTest(an, status.status, s, ctx, p, e).map((o) => ({
      truth: status.success ? o.zero : !o.zero,
      state: o.state,
    }));
  }
  const ordered = knownOrder(an, c, s, ctx);
  if (ordered !== undefined) return [{ truth: ordered, state: s }];
  const expanded = conditionMacro(an, c, ctx);
  if (expanded) return evalCond(an, expanded.e, s, expanded.ctx, p);
  if (c.t === 'num' || c.t === 'id') {
    const k = c.t === 'id' ? keyOf(an, c, ctx.env) : undefined;
    const known = c.t === 'num' ? integerValue(c, an.program, ctx.fn.file) : undefined;
    if (known !== undefined) return [{ truth: known !== 0n, state: s }];
    if (c.t === 'id' && !(k && (s.vals.has(k) || s.res.has(k)))) {
      const t = ctx.env.vars.has(c.n) ? undefined : constantTruth(c.n, an.program, ctx.fn.file);
      if (t) return [{ truth: t === 'NZ', state: s }];
    }
  }
  return zeroTest(an, c, s, ctx, p, e).map((o) => ({ truth: !o.zero, state: o.state }));
}

/**
 * A condition that is a function-like macro (`#define NG(v) (!OK(v))`, `#define OK(v) ((v) ==
 * STATUS_SUCCESS)`): its one-expression expansion, read as a condition, so a status tested through
 * the driver's own macros is learned as `ret != STATUS_SUCCESS` is. As in C, a macro is not expanded
 * inside its own expansion.
 */
function conditionMacro(an: Analysis, c: Expr, ctx: Ctx): { e: Expr; ctx: Ctx } | undefined {
  // What `expandMacro` leaves alone stays a call here too: functions, and the tracked acquire and release.
  if (c.t !== 'call' || c.f.t !== 'id' || keptAsCall(an, ctx, c.f.n)) return undefined;
  const name = an.program.aliasOf(ctx.fn.file, c.f.n);
  const around = ctx.macros ?? { painted: [], depth: 0 };
  if (around.painted.includes(name) || around.depth >= MAX_MACRO_NESTING) return undefined;
  const mb = an.program.macroBody(ctx.fn.file, name);
  if (mb?.params.length !== c.a.length) return undefined;
  const x = expandHere(an, c, mb, name, ctx);
  return x.exprs.length === 1 ? { e: x.exprs[0], ctx: x.ctx } : undefined;
}

/** `NT_SUCCESS(x)` or `NT_ERROR(x)`: the status tested, and whether the test is for success. */
export function statusTest(e: Expr): { status: Expr; success: boolean } | undefined {
  if (e.t !== 'call' || e.f.t !== 'id' || e.a.length !== 1) return undefined;
  if (e.f.n === 'NT_SUCCESS') return { status: e.a[0], success: true };
  if (e.f.n === 'NT_ERROR') return { status: e.a[0], success: false };
  return undefined;
}

function isZeroConstant(an: Analysis, e: Expr, ctx: Ctx): boolean {
  const c = stripCasts(e);
  if (c.t === 'num') return integerValue(c, an.program, ctx.fn.file) === 0n;
  if (c.t === 'id' && !ctx.env.vars.has(c.n))
    return constantTruth(c.n, an.program, ctx.fn.file) === 'Z' && an.program.globals.get(c.n) === undefined;
  return false;
}

/** Is the value zero? Determined, learned on a symbol, or learned on the tested storage. */
function zeroTest(
  an: Analysis,
  e: Expr,
  s: State,
  ctx: Ctx,
  p: Pos | undefined,
  whole: Expr,
): { zero: boolean; state: State }[] {
  const plain = stripCasts(e);
  const origin = (st: State): Origin => ({
    at: st.step,
    file: ctx.fn.file,
    p: p ?? ctx.p,
    how: 'branch',
    text: exprText(ctx.cond ?? whole),
  });
  const flag = flagKey(an, plain, ctx);
  const k = flag ? flag.key : plain.t === 'call' || plain.t === 'asg' ? undefined : keyOf(an, plain, ctx.env);
  const out: { zero: boolean; state: State }[] = [];
  for (const r of evalExpr(an, plain, s, ctx)) {
    const st = r.state;
    let v = r.val;
    if (flag) {
      // A flag never set since the variable was zeroed is clear (`x&*`: the bits no fact names are).
      const bits = BigInt(flag.key.slice(flag.base.length + 1));
      v = st.vals.get(flag.key) ?? (zeroBits(st, flag.base, bits) ? { k: 'Z' } : v);
    }
    if (plain.t === 'asg') {
      const ak = keyOf(an, plain.l, ctx.env);
      if (ak) v = st.vals.get(ak) ?? resVal(st, ak);
    }
    if (v.k === 'Z' || v.k === 'NZ') {
      out.push({ zero: v.k === 'Z', state: st });
      continue;
    }
    if (v.k === 'sym') {
      // `!sym` is the handle of a mapping whose status is sym: zero exactly when the status is not.
      const mirrored = v.id.startsWith('!');
      const id = mirrored ? v.id.slice(1) : v.id;
      const known = st.cons.get(id);
      if (known) {
        out.push({ zero: mirrored ? !known.z : known.z, state: st });
        continue;
      }
      const a = clone(st);
      const decided = v.b ? { decided: v.b } : {};
      if (!v.b) an.openSplits++;
      a.cons.set(id, { z: true, o: { ...origin(a), ...decided } });
      st.cons.set(id, { z: false, o: { ...origin(st), ...decided } });
      a.split = st.split = ++an.splits;
      out.push({ zero: !mirrored, state: a }, { zero: mirrored, state: st });
      continue;
    }
    // Unknown: both ways, and remember what was learned about this storage if anything reads it again.
    const a = clone(st);
    a.split = st.split = ++an.splits;
    an.openSplits++;
    if (k && !st.res.has(k) && (isRetested(an, k) || (isTracked(an, k) && an.assigned.has(lastName(k))))) {
      a.vals.set(k, { k: 'Z', o: origin(a) });
      st.vals.set(k, { k: 'NZ', o: origin(st) });
    }
    out.push({ zero: true, state: a }, { zero: false, state: st });
  }
  return out;
}
