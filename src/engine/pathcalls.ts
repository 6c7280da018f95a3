/**
 * Calls on one path. The resource's acquire and release calls change what is
 * held; helpers that reach them are stepped into with the caller's state;
 * function-like macros are expanded where they are used; every other call is
 * opaque: a fresh unknown result, and the storage it may write forgotten.
 */
import type { Expr } from './ast.js';
import { castOfAddress, stripCasts } from './keys.js';
import type { FnDef } from './program.js';
import { constantTruth, isDeviceWait, isValueName } from './values.js';
import { detachSymbol, isFieldKey, type Birth, type State, type Val } from './pathstate.js';
import { keyOf, type Analysis, type Ctx, type Outcome } from './pathcontext.js';
import { stepInto } from './pathwalk.js';
import { evalArgsForEffect, expandMacro } from './pathmacro.js';
import { maskMayChange, restKey, keepRestThroughMasks } from './pathflags.js';
import { forgetDeviceMemory, throughMapping } from './pathdevice.js';
import { acquire, correlatedAcquire, helperMayChangeHeld, release } from './pathresource.js';
import { isTracked, lastName } from './pathnames.js';
import { HelperWriteSet } from './helperwrites.js';
import { forgetBlock, zeroBlock, zeroesMemory } from './pathzero.js';
import { initListHead, initialisesListHead } from './pathlisthead.js';

/** Helper invocations nest at most this deep; a call deeper down is opaque. */
const MAX_DEPTH = 8;

/** A call: the resource's own calls, a helper stepped into, a macro expanded, or an opaque call. */
export function evalCall(an: Analysis, e: Extract<Expr, { t: 'call' }>, s: State, ctx: Ctx): Outcome[] {
  let callee = stripCasts(e.f);
  // `(*pfn)(x)` calls what `pfn` holds.
  if (callee.t === 'un' && callee.op === '*') callee = stripCasts(callee.e);
  if (callee.t !== 'id' || isPointerVariable(an, callee.n, ctx)) return evalPointerCall(an, e, callee, s, ctx);
  const name = an.program.aliasOf(ctx.fn.file, callee.n);
  const r = an.resource;
  // Time passes, or the driver writes a device register: what the path knew of memory the device
  // shares with the driver may no longer hold.
  if (isDeviceWait(name) || (/write/i.test(name) && e.a.some((a) => throughMapping(an, a, s, ctx))))
    forgetDeviceMemory(an, s);
  if (name === r.acquire.call) return acquire(an, e, s, ctx);
  const other = an.correlated.get(name);
  if (other) return correlatedAcquire(an, e, other, s, ctx);
  if (name === r.release.call) return release(an, e, s, ctx);
  const targets = an.program.resolve(ctx.fn.file, name);
  if (targets.length === 0) {
    const mb = an.program.macroBody(ctx.fn.file, name);
    if (mb?.params.length === e.a.length) return expandMacro(an, mb.body, mb.params, e, s, ctx);
    if (zeroesMemory(an, name, e, ctx))
      return opaqueCall(an, e, s, ctx, targets).map((out) => {
        zeroBlock(an, e, out.state, ctx);
        return out;
      });
    if (initialisesListHead(name, e))
      return opaqueCall(an, e, s, ctx, targets).map((out) => {
        initListHead(an, e, out.state, ctx);
        return out;
      });
  }
  // Helpers that acquire or release are walked with the caller's state; others are opaque (a
  // leak is never reported inside a helper that did not make the mapping).
  // Several definitions of one name (the same function in two builds, `#if` branches): each is possible.
  const walked = targets.filter((t) => an.relevant.has(t) && !ctx.stack.includes(t));
  // A call whose result is dropped, of helpers that can change nothing the path holds, tells the walk
  // nothing it needs: it is opaque (walking a cleanup routine of other buffers on every failing path
  // of initialize, with the lists it walks, costs the whole step budget).
  const idle = ctx.discarded === e && walked.every((t) => !helperMayChangeHeld(an, t, s));
  if (walked.length && ctx.depth < MAX_DEPTH && !idle) return stepInto(an, walked, false, e, s, ctx);
  return opaqueCall(an, e, s, ctx, targets);
}

/** A local, parameter or global variable called as a function: a call through a pointer. */
function isPointerVariable(an: Analysis, name: string, ctx: Ctx): boolean {
  if (ctx.env.vars.has(name)) return true;
  return an.program.resolve(ctx.fn.file, name).length === 0 && an.program.globals.has(name);
}

/**
 * A call through a pointer. Through a struct field (`Dev->Ops->MapBar(Dev)`) it calls one of the
 * functions stored into that field anywhere in the program: each is a possible outcome. One that
 * resolves to nothing known may call any function whose address is taken: only where one of those
 * can reach a release may it have released what the path holds.
 */
function evalPointerCall(
  an: Analysis,
  e: Extract<Expr, { t: 'call' }>,
  callee: Expr,
  s: State,
  ctx: Ctx,
): { state: State; val: Val }[] {
  const field = callee.t === 'fld' ? callee.f : undefined;
  const targets = field ? [...new Set(an.program.fieldTargets(field).map((t) => t.fn))] : [];
  if (targets.length) {
    const rel = targets.filter((t) => an.relevant.has(t) && !ctx.stack.includes(t));
    if (rel.length && ctx.depth < MAX_DEPTH) return stepInto(an, rel, rel.length < targets.length, e, s, ctx);
    return opaqueCall(an, e, s, ctx, targets);
  }
  // Counted by call site: how many paths pass it says nothing to the reader.
  an.unresolved.add(`${ctx.fn.file}:${String(e.p[0])}:${String(e.p[1])}`);
  return opaqueCall(an, e, s, ctx, []).map((out) => {
    if (an.indirectMayRelease)
      for (const [gid, g] of out.state.groups)
        if (g.st === 'held' || g.st === 'cond') out.state.groups.set(gid, { ...g, behindPointer: true });
    return out;
  });
}

/**
 * A call not stepped into: a fresh unknown result; what it is handed the address of becomes
 * unknown, and so do the fields a defined helper writes, told apart by the struct that holds
 * them (`helperwrites.ts`: a helper resetting `pRfd->Flags` leaves `Adapter->Flags` known); an
 * undefined function writes only through what it is handed the address of.
 */
export function opaqueCall(
  an: Analysis,
  e: Extract<Expr, { t: 'call' }>,
  s: State,
  ctx: Ctx,
  targets: FnDef[],
  argsDone = false,
): { state: State; val: Val }[] {
  // A helper not worth stepping into, whose every return is a success constant, succeeds.
  const alwaysSucceeds = targets.length > 0 && targets.every((t) => returnsOnlySuccess(an, t, ctx));
  // What the helpers may write, by field name and storage (`RFD.Flags` is not `ADAPTER.Flags`).
  const written = new HelperWriteSet(an.program, an.keys, targets);
  // Flag words the helper only sets or clears bits of: a bit no mask names keeps its value.
  const masked = new Map<string, { op: string; mask: string }[]>();
  for (const t of targets)
    for (const m of an.program.maskedWritesOf(t)) {
      const at = m.search(/[|&]=/);
      const field = m.slice(0, at);
      masked.set(field, [...(masked.get(field) ?? []), { op: m.slice(at, at + 2), mask: m.slice(at + 2) }]);
    }
  const sym = `${ctx.env.frame}:${String(e.p[0])}:${String(e.p[1])}`;
  const argStates = argsDone ? [s] : evalArgsForEffect(an, e.a, s, ctx);
  return argStates.map((state) => {
    for (const arg of e.a) {
      // `(PVOID) &a->Va` may read as an AND with a type name: it hands the address all the same.
      const bare = castOfAddress(stripCasts(arg), (n) => isValueName(an.program, n, ctx.env.vars, ctx.fn.file));
      if (bare.t === 'un' && bare.op === '&') {
        const k = keyOf(an, bare.e, ctx.env);
        if (k && !state.res.has(k)) {
          if (isTracked(an, k)) state.vals.set(k, { k: 'top' });
          else state.vals.delete(k);
          forgetBlock(state, k);
        }
      }
    }
    // Only fields: a helper cannot write the caller's local variables (short of `&x`, handled above).
    if (!written.empty || masked.size) {
      // A bit the helper may change is unknown; while the word's unnamed bits are known zero
      // (`restKey`), an unknown bit must be written as unknown, not dropped (dropped reads zero).
      const bits: string[] = [];
      for (const k of [...state.vals.keys()]) {
        if (!isFieldKey(k)) continue;
        const name = lastName(k);
        if (written.mayAssign(name, k)) state.vals.delete(k);
        else {
          const masks = masked.get(name);
          if (masks === undefined || !written.mayMask(name, k)) continue;
          const zeroWord = state.vals.get(k);
          if (k.endsWith('&*')) {
            if (!keepRestThroughMasks(an, state, k.slice(0, -2), masks, ctx)) state.vals.delete(k);
          } else if (zeroWord?.k === 'Z' && !k.includes('&') && keepRestThroughMasks(an, state, k, masks, ctx)) {
            // A zero word the helper only sets or clears named bits of: the other bits stay zero.
            state.vals.set(restKey(k), zeroWord);
            state.vals.set(k, { k: 'top' });
          } else if (maskMayChange(an, k, masks, ctx)) bits.push(k);
        }
      }
      for (const k of bits) {
        const amp = k.indexOf('&');
        if (amp > 0 && state.vals.has(restKey(k.slice(0, amp)))) state.vals.set(k, { k: 'top' });
        else state.vals.delete(k);
      }
    }
    detachSymbol(state, sym);
    state.cons.delete(sym);
    if (alwaysSucceeds) return { state, val: { k: 'Z' } };
    return { state, val: { k: 'sym', id: sym, b: birth(state, ctx, e) } };
  });
}

function returnsOnlySuccess(an: Analysis, fn: FnDef, ctx: Ctx): boolean {
  const r = fn.fact.returns;
  // Return texts are token runs: `( NDIS_STATUS_SUCCESS )` is the constant in parentheses.
  return r.length > 0 && r.every((x) => constantTruth(x.replace(/[()\s]/g, ''), an.program, ctx.fn.file) === 'Z');
}

/** The call that returned an unknown result, for the branches that later test it. */
export function birth(s: State, ctx: Ctx, e: Extract<Expr, { t: 'call' }>): Birth {
  return { at: s.step, file: ctx.fn.file, p: e.p, callee: e.f };
}
