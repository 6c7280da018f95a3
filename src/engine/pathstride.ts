/**
 * A struct pointer stepped along an array (`blk++`, `p += n`). The analysis
 * names a field read through a typed pointer by its struct (`BLK.va`), so
 * every element is one storage to it. After a release, that storage reads
 * non-zero (the pointer still holds its stale address), which is right for
 * the element just released, but not for the next one a stepped pointer
 * reads: xframeii's halt frees `while (blk->va) { Free(blk->va); blk++; }`,
 * and with the released element read as non-zero the loop could never end,
 * so no path through halt was left to free it. A released (or NULL) resource
 * read through a pointer this path stepped is unknown instead.
 */
import type { Expr } from './ast.js';
import { arrowBase, stripCasts } from './keys.js';
import type { State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import { pointeeStruct } from './pathzero.js';

/** The key of the fact "this pointer was stepped to another element on this path". */
const steppedKey = (k: string): string => `${k}+=`;

/**
 * `p++`, `--p`, `p += n` on a pointer to a struct: it now points at another element. Noted only while
 * a field of that struct names a resource released (or NULL) on this path, the one read it changes
 * (a loop frees an element, then steps): otherwise the note would only tell apart paths that are the
 * same (a cleanup loop over descriptors walked once more per failing path).
 */
export function stepPointer(an: Analysis, target: Expr, s: State, ctx: Ctx): void {
  const plain = stripCasts(target);
  if (plain.t !== 'id') return;
  const struct = pointeeStruct(an, plain.n, ctx);
  if (!struct) return;
  const prefix = `${an.keys.displayType(struct)}.`;
  let gone = false;
  for (const [name, gid] of s.res) {
    const st = name.startsWith(prefix) ? s.groups.get(gid)?.st : undefined;
    if (st === 'released' || st === 'null') {
      gone = true;
      break;
    }
  }
  const k = gone ? keyOf(an, plain, ctx.env) : undefined;
  if (k) s.vals.set(steppedKey(k), { k: 'NZ' });
}

/** The pointer stored at `k` was assigned: it points where its new value does. */
export function forgetStep(s: State, k: string): void {
  if (s.vals.has(steppedKey(k))) s.vals.delete(steppedKey(k));
}

/** Is `e` a field read (`p->f`) through a pointer this path stepped? */
export function readsSteppedElement(an: Analysis, e: Expr, s: State, ctx: Ctx): boolean {
  if (e.t !== 'fld') return false;
  // `p->f`, or `(*p).f`.
  const base = arrowBase(e);
  if (base?.t !== 'id') return false;
  const k = keyOf(an, base, ctx.env);
  return k !== undefined && s.vals.has(steppedKey(k));
}
