/**
 * Doubly linked list heads the WDK initialises. `NdisInitializeListHead(&A->List)`
 * points the head's `Flink` and `Blink` at the head itself, so a cleanup's
 * `if (A->List.Flink)` (wds netvmini's `NICFreeAdapter`, which frees its receive
 * DPCs only then) is decided on a path that initialised the list: without
 * this, the walk took the other arm too and reported the DPCs' work items as
 * leaked there. The calls are data: `listHeadInitCalls` in
 * `rules/wdk-constants.json`.
 */
import type { Expr } from './ast.js';
import type { State } from './pathstate.js';
import { addressedFieldKey, type Analysis, type Ctx } from './pathcontext.js';
import { callOrigin } from './pathzero.js';
import { isTracked } from './pathnames.js';
import { isListHeadInitCall } from './values.js';

/** Does the call initialise the list head its first argument points to? */
export function initialisesListHead(name: string, e: Extract<Expr, { t: 'call' }>): boolean {
  return e.a.length === 1 && isListHeadInitCall(name);
}

/** `InitializeListHead(&x)`: `x.Flink` and `x.Blink` read non-zero until the path writes them. */
export function initListHead(an: Analysis, e: Extract<Expr, { t: 'call' }>, s: State, ctx: Ctx): void {
  for (const f of ['Flink', 'Blink']) {
    const k = addressedFieldKey(an, e.a[0], f, ctx.env);
    if (!k || !isTracked(an, k) || s.res.has(k)) continue;
    s.vals.set(k, { k: 'NZ', o: callOrigin(s, ctx, e) });
  }
}
