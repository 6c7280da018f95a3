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

/** The fact that the bits of word `k` no flag fact names are zero. */
export const restKey = (k: string): string => `${k}&*`;

/**
 * Are the bits `bits` of word `k` zero? When the word is, or when its unnamed bits are (it was zero,
 * then only had named bits set and cleared) and no fact that is not zero names one of `bits`
 * (`Flags |= 6` names bit 2; a helper that may set bit 4 leaves the fact `Flags&4` unknown).
 * Without `bits`: are the unnamed bits zero.
 */
export function zeroBits(s: State, k: string, bits?: bigint): boolean {
  if (s.vals.get(k)?.k === 'Z') return true;
  if (s.vals.get(restKey(k))?.k !== 'Z') return false;
  if (bits === undefined) return true;
  const prefix = `${k}&`;
  for (const fk of s.vals.keys()) {
    if (!fk.startsWith(prefix)) continue;
    const m = fk.slice(prefix.length);
    if (!/^-?\d+$/.test(m) || (BigInt.asUintN(64, BigInt(m)) & BigInt.asUintN(64, bits)) === 0n) continue;
    if (s.vals.get(fk)?.k !== 'Z') return false;
  }
  return true;
}

/**
 * A helper's masked writes of word `base` (`maskMayChange`'s `writes`) keep its unnamed bits zero
 * when every mask is a known constant and only sets bits (`|=`) or clears them (`&= ~M`): the bits
 * it may set become unknown facts in `s`, and the answer is true. Otherwise nothing changes, the
 * answer is false, and the caller forgets the word's facts.
 */
export function keepRestThroughMasks(
  an: Analysis,
  s: State,
  base: string,
  writes: { op: string; mask: string }[],
  ctx: Ctx,
): boolean {
  let set = 0n;
  for (const w of writes) {
    const inverted = w.mask.startsWith('~');
    if (w.op === '&=' && !inverted) return false;
    const v = maskValue(an, w.mask, ctx);
    if (v === undefined) return false;
    if (w.op === '|=') set |= v;
  }
  for (let b = 1n; b !== 0n && b <= set; b <<= 1n) {
    if ((set & b) === 0n) continue;
    const fk = `${base}&${String(b)}`;
    if (s.vals.get(fk)?.k !== 'NZ') s.vals.set(fk, { k: 'top' });
  }
  return true;
}

/**
 * `x |= BIT` and `x &= ~BIT` set and clear the flag fact `x&BIT`; `wasZero`: the word's other bits
 * were zero before (`zeroBits`), which setting or clearing a named bit keeps.
 */
export function updateFlags(
  an: Analysis,
  k: string,
  op: string,
  rhs: Expr,
  s: State,
  ctx: Ctx,
  wasZero: boolean,
): void {
  const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'constant', text: exprText(rhs) };
  const v = op === '|=' ? integerValue(rhs, an.program, ctx.fn.file) : undefined;
  if (wasZero && (op === '|=' ? v !== undefined : op === '&=')) s.vals.set(restKey(k), { k: 'Z', o });
  else if (s.vals.has(restKey(k))) s.vals.delete(restKey(k));
  if (op === '|=') {
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
    const value = maskValue(an, w.mask, ctx);
    if (value === undefined) return true;
    // `|= M` sets M's bits; `&= ~M` clears them; `&= M` clears every bit but M's.
    const touched = w.op === '|=' || inverted ? value & bit : ~value & bit;
    if (touched !== 0n) return true;
  }
  return false;
}

/** A mask as the lexical facts write it (`F_A|F_B`, `~F_A`, `0x4`): its bits, when every name is a known constant. */
function maskValue(an: Analysis, mask: string, ctx: Ctx): bigint | undefined {
  let value = 0n;
  for (const n of mask.replace(/^~/, '').replace(/[()]/g, '').split('|')) {
    const v = /^\d/.test(n)
      ? integerValue({ t: 'num', v: n }, an.program, ctx.fn.file)
      : integerValue({ t: 'id', n }, an.program, ctx.fn.file);
    if (v === undefined) return undefined;
    value |= BigInt.asUintN(64, v);
  }
  return value;
}
