/**
 * Facts about words the driver keeps: flag bits set with `|=` and cleared with
 * `&= ~` (the fact `x&BIT`), named constants with their exact integer, and
 * whether a helper's masked writes can change a bit the path knows.
 */
import type { Expr } from './ast.js';
import { exprText } from './extract.js';
import { stripCasts } from './keys.js';
import { constantTruth, integerValue } from './values.js';
import type { Origin, State, Val } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';

/** `x |= BIT` and `x &= ~BIT` set and clear the flag fact `x&BIT`. */
export function updateFlags(an: Analysis, k: string, op: string, rhs: Expr, s: State, ctx: Ctx): void {
  const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'constant', text: exprText(rhs) };
  if (op === '|=') {
    const v = integerValue(rhs, an.program, ctx.fn.file);
    if (v !== undefined) s.vals.set(`${k}&${String(v)}`, { k: 'NZ', o });
  } else if (op === '&=') {
    const inner = stripCasts(rhs);
    const v = inner.t === 'un' && inner.op === '~' ? integerValue(inner.e, an.program, ctx.fn.file) : undefined;
    if (v !== undefined) s.vals.set(`${k}&${String(v)}`, { k: 'Z', o });
    else s.vals.deleteFlagsOf(k);
  }
}

/** `x & BIT` with a constant BIT: the flag fact's key, `x&BIT`. */
export function flagKey(an: Analysis, e: Expr, ctx: Ctx): { key: string; base: string } | undefined {
  if (e.t !== 'bin' || e.op !== '&') return undefined;
  const rv = integerValue(e.r, an.program, ctx.fn.file);
  const lv = rv === undefined ? integerValue(e.l, an.program, ctx.fn.file) : undefined;
  const bit = rv ?? lv;
  if (bit === undefined) return undefined;
  const base = keyOf(an, stripCasts(rv !== undefined ? e.l : e.r), ctx.env);
  return base ? { key: `${base}&${String(bit)}`, base } : undefined;
}

/**
 * `(x & BIT) == BIT` with BIT one bit (`HW_TEST_FLAG`'s `((x)->Flags & (f)) == (f)`): the same test as
 * `x & BIT`. With a mask of several bits, equality asks for all of them and is not that test.
 */
export function singleBitEquality(an: Analysis, masked: Expr, other: Expr, ctx: Ctx): boolean {
  const m = stripCasts(masked);
  if (m.t !== 'bin' || m.op !== '&') return false;
  const bit = integerValue(m.r, an.program, ctx.fn.file) ?? integerValue(m.l, an.program, ctx.fn.file);
  if (bit === undefined || bit <= 0n || (bit & (bit - 1n)) !== 0n) return false;
  return integerValue(stripCasts(other), an.program, ctx.fn.file) === bit && flagKey(an, m, ctx) !== undefined;
}

/** A named constant (macro, enumeration, status word) as a value with its exact integer when known. */
export function constant(an: Analysis, name: string, s: State, ctx: Ctx): Val | undefined {
  const truth = constantTruth(name, an.program, ctx.fn.file);
  if (!truth) return undefined;
  const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'constant', text: name };
  if (truth === 'Z') return { k: 'Z', o };
  const n = integerValue({ t: 'id', n: name }, an.program, ctx.fn.file);
  return n === undefined ? { k: 'NZ', o } : { k: 'NZ', o, n };
}

/**
 * Can `Flags |= MASK` or `Flags &= ~MASK` change what this key knows? The word itself changes;
 * a bit (`Flags&4`) changes only when a mask names it, or when a mask's value is unknown.
 */
export function maskMayChange(an: Analysis, k: string, writes: { op: string; mask: string }[], ctx: Ctx): boolean {
  const amp = k.indexOf('&');
  if (amp < 0 || !/^-?\d+$/.test(k.slice(amp + 1))) return true;
  const bit = BigInt.asUintN(64, BigInt(k.slice(amp + 1)));
  for (const w of writes) {
    const inverted = w.mask.startsWith('~');
    const names = w.mask.replace(/^~/, '').replace(/[()]/g, '').split('|');
    let value = 0n;
    for (const n of names) {
      const v = /^\d/.test(n)
        ? integerValue({ t: 'num', v: n }, an.program, ctx.fn.file)
        : integerValue({ t: 'id', n }, an.program, ctx.fn.file);
      if (v === undefined) return true;
      value |= BigInt.asUintN(64, v);
    }
    // `|= M` sets M's bits; `&= ~M` clears them; `&= M` clears every bit but M's.
    const touched = w.op === '|=' || inverted ? value & bit : ~value & bit;
    if (touched !== 0n) return true;
  }
  return false;
}
