/**
 * NULL facts a dereference teaches: a pointer the code reads through is not
 * NULL on this path from there on.
 */
import type { Expr } from './ast.js';
import { exprText } from './extract.js';
import { stripCasts } from './keys.js';
import type { Origin, State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import { isTracked } from './pathnames.js';

/**
 * Every pointer an access reads through (`A` and `A->Hw` in `A->Hw->Regs`,
 * `p` in `*p` and `p[i]`): on this path they are not NULL from here on.
 */
export function markDerefs(an: Analysis, e: Expr, s: State, ctx: Ctx): void {
  let cur = stripCasts(e);
  for (let i = 0; i < 32; i++) {
    let next: Expr;
    if (cur.t === 'fld') {
      next = stripCasts(cur.o);
      if (cur.ar) markNonNull(an, next, s, ctx);
    } else if (cur.t === 'idx') {
      next = stripCasts(cur.o);
      markNonNull(an, next, s, ctx);
    } else if (cur.t === 'un' && cur.op === '*') {
      next = stripCasts(cur.e);
      markNonNull(an, next, s, ctx);
    } else return;
    cur = next;
  }
}

function markNonNull(an: Analysis, ptr: Expr, s: State, ctx: Ctx): void {
  const k = keyOf(an, ptr, ctx.env);
  if (!k || s.res.has(k)) return;
  const v = s.vals.get(k);
  const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'branch', text: `${exprText(ptr)} is used` };
  if (v?.k === 'sym') {
    const id = v.id.startsWith('!') ? v.id.slice(1) : v.id;
    // `!sym` mirrors a mapping's status: the handle is non-NULL exactly when the status is zero.
    if (!s.cons.has(id)) s.cons.set(id, { z: v.id.startsWith('!'), o });
    return;
  }
  if (v && v.k !== 'top') return;
  if (isTracked(an, k)) s.vals.set(k, { k: 'NZ', o });
}
