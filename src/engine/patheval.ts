/**
 * Expression evaluation on one path: what an expression does to the state and
 * what value it has (zero, nonzero, a symbol the path may learn about, or
 * unknown). Forks only where a condition or a helper has several outcomes.
 */
import type { Expr } from './ast.js';
import { exprText } from './extract.js';
import { stripCasts } from './keys.js';
import { integerValue } from './values.js';
import type { State, Val } from './pathstate.js';
import { keyOf, type Analysis, type Ctx, type Outcome } from './pathcontext.js';
import { evalCond, statusTest } from './pathcond.js';
import { evalCall } from './pathcalls.js';
import { constant, updateFlags, zeroBits } from './pathflags.js';
import { assignedPointer } from './pathzero.js';
import { hidesHeldResource } from './pathinstance.js';
import { forgetDeviceMemory, throughMapping } from './pathdevice.js';
import { markDerefs } from './pathnull.js';
import { acquire, dropNameless, groupOf, noteName, resVal, returningAcquire } from './pathresource.js';
import { isTracked } from './pathnames.js';
import { readsSteppedElement, stepPointer } from './pathstride.js';
import { aliased, bindPointer, unbind } from './pathalias.js';
import { evalForEffect, macroReturningAcquire } from './pathmacro.js';
import { knownOrder, steppedValue } from './pathcounter.js';

/** The exact integer of a value, when known. */
export function exact(v: Val): bigint | undefined {
  if (v.k === 'Z') return 0n;
  if (v.k === 'NZ') return v.n;
  return undefined;
}

function negate(v: Val): Val {
  if (v.k === 'Z') return { k: 'NZ', o: v.o };
  if (v.k === 'NZ') return { k: 'Z', o: v.o };
  // `!p` of an unknown is its mirror (zero exactly when `p` is not): `ok = !Va; if (ok)` decides `Va`.
  if (v.k === 'sym') return { ...v, id: v.id.startsWith('!') ? v.id.slice(1) : `!${v.id}` };
  return { k: 'top' };
}

/**
 * `x++`, `--x`: its value is no longer known (but a small loop counter's, `pathcounter.ts`); a struct
 * pointer now points at another element.
 */
function stepped(an: Analysis, target: Expr, op: string, s: State, ctx: Ctx): Outcome[] {
  return evalExpr(an, target, s, ctx).map((r) => {
    const k = keyOf(an, target, ctx.env);
    if (k) unbind(r.state, k);
    if (k && isTracked(an, k)) r.state.vals.set(k, steppedValue(an, target, op, r.state.vals.get(k), ctx));
    stepPointer(an, target, r.state, ctx);
    return { state: r.state, val: { k: 'top' } };
  });
}

/** A resource's handle read: unknown when it was released (or NULL) and is read through a stepped pointer. */
function elementVal(an: Analysis, e: Expr, k: string, s: State, ctx: Ctx): Val {
  const gid = s.res.get(k);
  const g = gid === undefined ? undefined : s.groups.get(gid);
  if (g && (g.st === 'released' || g.st === 'null') && readsSteppedElement(an, e, s, ctx)) return { k: 'top' };
  return resVal(s, k);
}

/**
 * Operators whose value is a test's outcome: in value position (`ok = (p == NULL)`) each is evaluated
 * as the condition it is, so what a later test of the stored value decides is what this one learned.
 */
const TESTS = new Set(['&&', '||', '==', '!=']);

/** Evaluates an expression for its effects and value. Forks only where a helper has several exits. */
export function evalExpr(an: Analysis, e: Expr, s: State, ctx: Ctx): Outcome[] {
  if (an.aliasing) {
    const x = aliased(an, e, s, ctx);
    if (x !== e) return evalExpr(an, x, s, ctx);
  }
  switch (e.t) {
    case 'num': {
      const v = integerValue(e, an.program, ctx.fn.file);
      return [{ state: s, val: v === undefined ? { k: 'top' } : v === 0n ? { k: 'Z' } : { k: 'NZ', n: v } }];
    }
    case 'id': {
      const k = keyOf(an, e, ctx.env);
      const known = k ? s.vals.get(k) : undefined;
      if (known !== undefined) return [{ state: s, val: known }];
      if (k && s.res.has(k)) return [{ state: s, val: resVal(s, k) }];
      const c = ctx.env.vars.has(e.n) ? undefined : constant(an, e.n, s, ctx);
      return [{ state: s, val: c ?? { k: 'top' } }];
    }
    case 'fld':
    case 'idx':
    case 'un': {
      if (e.t === 'un' && e.op !== '*') {
        if (e.op === '++' || e.op === '--') return stepped(an, e.e, e.op, s, ctx);
        const inner = evalExpr(an, e.e, s, ctx);
        if (e.op === '!') return inner.map((r) => ({ state: r.state, val: negate(r.val) }));
        return inner.map((r) => ({ state: r.state, val: { k: 'top' } }));
      }
      markDerefs(an, e, s, ctx);
      const k = keyOf(an, e, ctx.env);
      if (k && s.res.has(k)) return [{ state: s, val: elementVal(an, e, k, s, ctx) }];
      const known = k ? s.vals.get(k) : undefined;
      if (known !== undefined) return [{ state: s, val: known }];
      return [{ state: s, val: { k: 'top' } }];
    }
    case 'cast':
      return evalExpr(an, e.e, s, ctx);
    case 'asg': {
      // A store into mapped device registers may start the device writing shared memory.
      if (throughMapping(an, e.l, s, ctx)) forgetDeviceMemory(an, s);
      const k = keyOf(an, e.l, ctx.env);
      if (!k) return evalExpr(an, e.r, s, ctx).map((r) => ({ state: r.state, val: { k: 'top' } }));
      if (e.op !== '=') {
        return evalExpr(an, e.r, s, ctx).map((r) => {
          if (e.op === '+=' || e.op === '-=') stepPointer(an, e.l, r.state, ctx);
          unbind(r.state, k);
          const wasZero = zeroBits(r.state, k);
          if (isTracked(an, k)) r.state.vals.set(k, { k: 'top' });
          else r.state.vals.delete(k);
          updateFlags(an, k, e.op, e.r, r.state, ctx, wasZero);
          return { state: r.state, val: { k: 'top' } };
        });
      }
      s.vals.deleteFlagsOf(k);
      return assign(an, k, e.r, s, ctx, exprText(stripCasts(e.l))).map((st) => ({
        state: st,
        val: st.vals.get(k) ?? resVal(st, k),
      }));
    }
    case 'post':
      return stepped(an, e.e, e.op, s, ctx);
    case 'bin': {
      if (TESTS.has(e.op)) {
        // In value position, a condition: evaluate it as one, keeping the forks.
        return evalCond(an, e, s, ctx, undefined).map((o) => ({
          state: o.state,
          val: o.truth ? { k: 'NZ' } : { k: 'Z' },
        }));
      }
      const out: { state: State; val: Val }[] = [];
      for (const l of evalExpr(an, e.l, s, ctx))
        for (const r of evalExpr(an, e.r, l.state, ctx)) {
          // `ok = (Count < MIN)` with both sides known on the path: the outcome the test would have.
          const order = knownOrder(an, e, r.state, ctx);
          out.push({ state: r.state, val: order === undefined ? { k: 'top' } : order ? { k: 'NZ' } : { k: 'Z' } });
        }
      return out;
    }
    case 'seq': {
      const out: { state: State; val: Val }[] = [];
      for (const l of evalExpr(an, e.l, s, ctx)) out.push(...evalExpr(an, e.r, l.state, ctx));
      return out;
    }
    case 'cond': {
      const out: { state: State; val: Val }[] = [];
      for (const o of evalCond(an, e.c, s, ctx, undefined))
        out.push(...evalExpr(an, o.truth ? e.a : e.b, o.state, ctx));
      return out;
    }
    case 'call':
      // `ok = NT_SUCCESS(Status)`: a test in value position, as `==` is.
      if (statusTest(e) && e.f.t === 'id' && an.program.resolve(ctx.fn.file, e.f.n).length === 0)
        return evalCond(an, e, s, ctx, undefined).map((o) => ({
          state: o.state,
          val: o.truth ? { k: 'NZ' } : { k: 'Z' },
        }));
      return evalCall(an, e, s, ctx);
    default:
      return [{ state: s, val: { k: 'top' } }];
  }
}

export function evalArgs(an: Analysis, args: Expr[], s: State, ctx: Ctx): { state: State; vals: Val[] }[] {
  let acc: { state: State; vals: Val[] }[] = [{ state: s, vals: [] }];
  for (const a of args) {
    const next: { state: State; vals: Val[] }[] = [];
    for (const x of acc)
      for (const r of evalExpr(an, a, x.state, ctx)) next.push({ state: r.state, vals: [...x.vals, r.val] });
    acc = next;
  }
  return acc;
}

/** `key = rhs`: values, aliases of resources, NULL after release. */
/**
 * `(PUCHAR)Va + j * Size`: the storage of the pointer an offset is added to (or taken from). A pointer
 * into a block names the block (xennet cuts one shared-memory page into coalesce buffers, stores each
 * piece's address, and frees through the piece at offset 0).
 */
function offsetBase(an: Analysis, rhs: Expr, ctx: Ctx): string | undefined {
  let e = stripCasts(rhs);
  while (e.t === 'bin' && (e.op === '+' || e.op === '-')) e = stripCasts(e.l);
  return e === stripCasts(rhs) ? undefined : keyOf(an, e, ctx.env);
}

export function assign(an: Analysis, k: string, rhs: Expr, s: State, ctx: Ctx, text?: string): State[] {
  bindPointer(an, k, rhs, s, ctx);
  const direct = returningAcquire(an, rhs, ctx);
  const acq = direct ? { call: direct, ctx } : macroReturningAcquire(an, rhs, ctx);
  if (acq) {
    // The stored handle is the resource; whatever `k` named before is overwritten.
    s.res.delete(k);
    s.vals.delete(k);
    return acquire(an, acq.call, s, acq.ctx, { key: k, text: text ?? k }).map(({ state }) => state);
  }
  const rk = keyOf(an, stripCasts(rhs), ctx.env);
  const base = rk ?? offsetBase(an, rhs, ctx);
  const aliased = base && base !== k ? s.res.get(base) : undefined;
  if (aliased !== undefined) {
    s.res.set(k, aliased);
    s.vals.delete(k);
    noteName(an, s, aliased, k);
    return [s];
  }
  // A copy of storage nothing is known about yet: both names share one unknown value, so what the path
  // learns through one (`Hw->Regs` used, so `Hw` is not NULL) holds for the other (`A->Hw`).
  const share = rk !== undefined && rk !== k && (isTracked(an, k) || isTracked(an, rk));
  // A test's value stored where no test or return reads it (`a->Shared = (d->Share == Shared)`): what
  // it does, not which way it went, which split the path on a value nothing reads again.
  const outs: Outcome[] =
    !isTracked(an, k) && !s.res.has(k) && isTestValue(rhs)
      ? evalForEffect(an, rhs, s, ctx).map((state) => ({ state, val: { k: 'top' } }))
      : evalExpr(an, rhs, s, ctx);
  return outs.map(({ state, val: v0, res }) => {
    assignedPointer(an, k, rhs, state, ctx);
    if (res !== undefined && state.groups.has(res)) {
      state.res.set(k, res);
      state.vals.delete(k);
      noteName(an, state, res, k);
      return state;
    }
    let val = v0;
    if (share && val.k === 'top' && !state.res.has(rk)) {
      // Named by where the copy is made, not by the path's step: the same copy on two paths is one unknown.
      const id = `=${rk}@${ctx.env.frame}:${String(ctx.p[0])}:${String(ctx.p[1])}`;
      state.cons.delete(id);
      val = { k: 'sym', id };
      state.vals.set(rk, val);
    }
    const gid = state.res.get(k);
    if (gid !== undefined) {
      const g = groupOf(state, gid);
      const zero = val.k === 'Z' || (val.k === 'sym' && state.cons.get(val.id)?.z === true);
      if (zero) {
        if (g.st === 'released' || (g.st === 'cond' && g.sym && state.cons.get(g.sym)?.z === false))
          state.groups.set(gid, { ...g, st: 'null' });
        return state;
      }
      state.res.delete(k);
      dropNameless(state);
    }
    // Another instance's NULL (`pathinstance.ts`): the pointer this path followed keeps its value.
    if (val.k === 'Z' && hidesHeldResource(an, k, state)) return state;
    const old = state.vals.get(k);
    if (isTracked(an, k)) state.vals.set(k, val);
    else state.vals.delete(k);
    if (old?.k === 'sym' && ctx.depth === 0) forgetDeadSymbol(state, old.id, ctx.env.frame);
    return state;
  });
}

/** A comparison, a logical operation or a choice: a value made by a test. */
export function isTestValue(e: Expr): boolean {
  const x = stripCasts(e);
  if (x.t === 'cond' || statusTest(x)) return true;
  if (x.t === 'un') return x.op === '!';
  return x.t === 'bin' && ['==', '!=', '<', '>', '<=', '>=', '&&', '||'].includes(x.op);
}

/**
 * What initialize learned of a call's result that nothing holds any more (`s = Step(a)` over the last
 * step's status): dropped, or every copy of the state at a fork carries one entry per earlier call
 * (4,000 status checks made initialize's walk quadratic). Only initialize's own results: a helper's
 * walk may be replayed onto a caller whose variables still hold one, and its results are dropped when
 * it returns (`forgetLocals`).
 */
function forgetDeadSymbol(s: State, id: string, frame: string): void {
  const sym = id.charCodeAt(0) === 33 ? id.slice(1) : id;
  if (!sym.startsWith(`${frame}:`) || !s.cons.has(sym) || s.vals.refers(sym)) return;
  for (const g of s.groups.values()) if (g.sym === sym) return;
  s.cons.delete(sym);
}
