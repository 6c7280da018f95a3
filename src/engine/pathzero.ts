/**
 * Memory the driver zeroes. `NdisZeroMemory(Adapter, sizeof(*Adapter))`
 * leaves every field of the adapter zero until the path writes it, so a
 * cleanup's `if (Adapter->Flags & DC_IO_MAPPED)` or `if (Adapter->IoBase)`
 * is decided on a path that never set them: without this, the walk took the
 * other arm too and reported a release it had skipped there.
 *
 * A block zeroed through an untyped pointer (`NdisZeroMemory(Unaligned,
 * Size); Adapter = ALIGN_UP_POINTER_BY(Unaligned, Alignment)`) becomes the
 * struct's when the same path makes a typed pointer from it; until then the
 * path keeps the fact `Unaligned=0` on the pointer's own key.
 *
 * Only fields the walk tests get a value (the others would only make states
 * bigger), and never one that holds a resource or leads to one the path holds (another
 * instance's, `pathinstance.ts`). A word the path then sets
 * bits in (`Flags |= X`) keeps its other bits zero (`pathflags.ts`).
 */
import type { Expr } from './ast.js';
import { exprText } from './extract.js';
import { stripCasts } from './keys.js';
import { integerValue, isZeroingCall } from './values.js';
import type { Origin, State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import { isTracked } from './pathnames.js';
import { forgetStep } from './pathstride.js';
import { hidesHeldResource } from './pathinstance.js';

/** The key of the fact "the block this pointer points to was zeroed". */
const blockKey = (k: string): string => `${k}=0`;

/** Does the call zero the memory its first argument points to (`memset` with a 0 fill too)? */
export function zeroesMemory(an: Analysis, name: string, e: Extract<Expr, { t: 'call' }>, ctx: Ctx): boolean {
  if (e.a.length === 0) return false;
  if (isZeroingCall(name)) return true;
  return name === 'memset' && e.a.length === 3 && integerValue(e.a[1], an.program, ctx.fn.file) === 0n;
}

/** The call zeroed what its first argument points to: its struct's tested fields read zero. */
export function zeroBlock(an: Analysis, e: Extract<Expr, { t: 'call' }>, s: State, ctx: Ctx): void {
  const target = stripCasts(e.a[0]);
  const o = callOrigin(s, ctx, e);
  if (target.t === 'un' && target.op === '&') {
    // `&Adapter->Stats`: the field's struct, when its definition is known.
    const struct = fieldStruct(an, target.e, ctx);
    if (struct) zeroFields(an, struct, s, o);
    return;
  }
  if (target.t !== 'id') return;
  const struct = pointeeStruct(an, target.n, ctx);
  if (struct) {
    zeroFields(an, struct, s, o);
    return;
  }
  const k = keyOf(an, target, ctx.env);
  if (k && ctx.env.vars.has(target.n)) s.vals.set(blockKey(k), { k: 'Z', o });
}

/**
 * `k = rhs` on this path: a pointer assigned forgets the block it pointed to; a typed pointer made
 * from a zeroed untyped one (`Adapter = ALIGN_UP_POINTER_BY(Unaligned, A)`) zeroes its struct.
 */
export function assignedPointer(an: Analysis, k: string, rhs: Expr, s: State, ctx: Ctx): void {
  forgetBlock(s, k);
  const prefix = `${ctx.env.frame}:`;
  if (!k.startsWith(prefix)) return;
  const struct = pointeeStruct(an, k.slice(prefix.length), ctx);
  if (!struct) return;
  const from = zeroedSource(an, rhs, s, ctx);
  if (from) zeroFields(an, struct, s, from);
}

/** The pointer stored at `k` may point elsewhere now (assigned, or written through `&k`). */
export function forgetBlock(s: State, k: string): void {
  if (s.vals.has(blockKey(k))) s.vals.delete(blockKey(k));
  forgetStep(s, k);
}

/** A local pointer the expression reads whose block this path zeroed: where it was zeroed. */
function zeroedSource(an: Analysis, e: Expr, s: State, ctx: Ctx): Origin | undefined {
  switch (e.t) {
    case 'id': {
      if (!ctx.env.vars.has(e.n)) return undefined;
      const k = keyOf(an, e, ctx.env);
      const v = k ? s.vals.get(blockKey(k)) : undefined;
      return v?.k === 'Z' ? v.o : undefined;
    }
    case 'cast':
    case 'un':
      return zeroedSource(an, e.e, s, ctx);
    case 'bin':
      return zeroedSource(an, e.l, s, ctx) ?? zeroedSource(an, e.r, s, ctx);
    case 'call':
      // An alignment macro or helper handed the pointer: what it returns points into the block.
      for (const a of e.a) {
        const o = zeroedSource(an, a, s, ctx);
        if (o) return o;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The struct a pointer variable points to, when its definition is known. Only a pointer can be
 * handed to a zeroing call or assigned a pointer expression, so one star or none (a typedef'd
 * pointer, `PADAPTER`) both point to the struct; two stars point to a pointer.
 */
export function pointeeStruct(an: Analysis, name: string, ctx: Ctx): string | undefined {
  const vt = ctx.env.vars.get(name) ?? an.program.globals.get(name);
  if (!vt || vt.ptr > 1) return undefined;
  const ty = an.keys.canonicalType(vt.ty);
  return an.program.structs.has(ty) ? ty : undefined;
}

/** The struct type of a field (`Adapter->Stats`): the key's holder is the field's struct. */
function fieldStruct(an: Analysis, lv: Expr, ctx: Ctx): string | undefined {
  const probe: Expr = { t: 'fld', o: lv, f: '\u0000', ar: false };
  const k = keyOf(an, probe, ctx.env);
  if (!k?.endsWith('.\u0000')) return undefined;
  const holder = k.slice(0, -2);
  if (holder.includes('.')) return undefined;
  return [holder, `_${holder}`, `__${holder}`].find((t) => an.program.structs.has(t));
}

/** Every tested field of the struct reads zero, unless it holds a resource. */
function zeroFields(an: Analysis, struct: string, s: State, o: Origin): void {
  const fields = an.program.structs.get(struct);
  if (!fields) return;
  const display = an.keys.displayType(struct);
  for (const f of Object.keys(fields)) {
    const k = `${display}.${f}`;
    if (!isTracked(an, k) || s.res.has(k) || hidesHeldResource(an, k, s)) continue;
    s.vals.deleteFlagsOf(k);
    s.vals.set(k, { k: 'Z', o });
  }
}

/** Where a call made a value known: the call itself, as a constant's origin. */
export function callOrigin(s: State, ctx: Ctx, e: Extract<Expr, { t: 'call' }>): Origin {
  return { at: s.step, file: ctx.fn.file, p: e.p, how: 'constant', text: exprText(e) };
}
