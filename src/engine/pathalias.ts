/**
 * Local pointers to storage, per path: after `va = &pNic->TxInfo.pTxNormalQBufVa`,
 * `*va` is that field (`NICTXINFO.pTxNormalQBufVa`) and `(*va)[i]` its elements.
 *
 * rtlnwifi picks a queue's fields through such a pointer, in the routine that
 * allocates and in the one that frees, and its queue loop binds the same local
 * to two fields in turn. Named by the local (`*Init#1:va`), what the allocating
 * routine learned never reached the freeing routine's `*Term#2:va`, so every
 * free there looked skippable and every buffer leaked.
 *
 * The binding is a fact of the path, kept in its values under `<local key>->`
 * (no storage key ends so); any other write of the local drops it. Reading
 * then rewrites each `*p` of a bound local into a synthetic identifier that
 * names the storage (`STORAGE_PREFIX`), showing the text it stands for, so
 * keys, conditions and traces need no change. Nothing is rewritten until some
 * path binds a local (`Analysis.aliasing`): other drivers pay one flag test.
 */
import type { Expr } from './ast.js';
import { arrowBase, castOfAddress, STORAGE_PREFIX, stripCasts } from './keys.js';
import type { State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import { exprText } from './extract.js';
import { lastName } from './pathnames.js';

const bindingKey = (k: string): string => `${k}->`;

/** The storage the local at key `k` points to on this path, if known. */
function pointee(s: State, k: string): string | undefined {
  const v = s.vals.get(bindingKey(k));
  return v?.k === 'sym' && v.id.startsWith('&') ? v.id.slice(1) : undefined;
}

/**
 * `k = rhs` on this path. A pointer local assigned the address of storage any function can name (a field,
 * not another local) points to it; any other value drops what it pointed to.
 */
export function bindPointer(an: Analysis, k: string, rhs: Expr, s: State, ctx: Ctx): void {
  const frame = `${ctx.env.frame}:`;
  if (!k.startsWith(frame)) return;
  const local = ctx.env.vars.get(k.slice(frame.length));
  const bare = castOfAddress(stripCasts(rhs));
  const target =
    local && local.ptr > 0 && bare.t === 'un' && bare.op === '&'
      ? keyOf(an, aliased(an, bare.e, s, ctx), ctx.env)
      : undefined;
  if (target !== undefined && !target.includes(':')) {
    s.vals.set(bindingKey(k), { k: 'sym', id: `&${target}` });
    if (!an.aliasing) an.aliasing = true;
    trackAs(an, lastName(k), lastName(target));
  } else unbind(s, k);
}

/** The local at key `k` may point anywhere now (`p++`, `p += n`). */
export function unbind(s: State, k: string): void {
  if (s.vals.has(bindingKey(k))) s.vals.delete(bindingKey(k));
}

/**
 * Conditions read the pointed-to storage where they name the local (`if (*va != NULL)`): its value is
 * worth keeping wherever the local's is.
 */
function trackAs(an: Analysis, local: string, target: string): void {
  const n = an.tested.get(local);
  if (n === undefined || (an.tested.get(target) ?? 0) >= n) return;
  an.tested.set(target, n);
  if (an.deciding.has(local)) an.deciding.add(target);
  an.retested.clear();
}

/** The expression with each `*p` of a bound local read as the storage it points to; itself when none is. */
export function aliased(an: Analysis, e: Expr, s: State, ctx: Ctx): Expr {
  return an.aliasing ? rewrite(an, e, s, ctx) : e;
}

const derefs = new WeakMap<Expr, boolean>();

/**
 * Does the expression dereference a plain name anywhere (`*p`)? Only such an expression can be
 * rewritten; asked once per expression, as evaluation asks again of every part it recurses into.
 */
function dereferencesName(e: Expr): boolean {
  let hit = derefs.get(e);
  if (hit !== undefined) return hit;
  switch (e.t) {
    case 'un':
      hit = (e.op === '*' && stripCasts(e.e).t === 'id') || dereferencesName(e.e);
      break;
    case 'cast':
    case 'post':
      hit = dereferencesName(e.e);
      break;
    case 'fld':
      hit = !arrowSpelt(e) && dereferencesName(e.o);
      break;
    case 'idx':
      hit = dereferencesName(e.o) || dereferencesName(e.i);
      break;
    case 'bin':
    case 'asg':
    case 'seq':
      hit = dereferencesName(e.l) || dereferencesName(e.r);
      break;
    case 'cond':
      hit = dereferencesName(e.c) || dereferencesName(e.a) || dereferencesName(e.b);
      break;
    case 'call':
      hit = e.a.some(dereferencesName);
      break;
    default:
      hit = false;
  }
  derefs.set(e, hit);
  return hit;
}

/**
 * `(*p).f`, which is `p->f` spelt otherwise: read as the arrow is, through `p`'s type, not through the
 * storage `p` is bound to (a field access names its struct's field wherever the pointer points).
 */
function arrowSpelt(e: Extract<Expr, { t: 'fld' }>): boolean {
  return !e.ar && arrowBase(e)?.t === 'id';
}

function rewrite(an: Analysis, e: Expr, s: State, ctx: Ctx): Expr {
  if (!dereferencesName(e)) return e;
  const r = (x: Expr) => rewrite(an, x, s, ctx);
  switch (e.t) {
    case 'un': {
      if (e.op === '*') {
        const inner = stripCasts(e.e);
        if (inner.t === 'id' && ctx.env.vars.has(inner.n)) {
          const k = keyOf(an, inner, ctx.env);
          const target = k === undefined ? undefined : pointee(s, k);
          if (target !== undefined) return storage(target, e);
        }
      }
      const x = r(e.e);
      return x === e.e ? e : rebuilt(e, [x], () => ({ ...e, e: x }));
    }
    case 'cast':
    case 'post': {
      const x = r(e.e);
      return x === e.e ? e : rebuilt(e, [x], () => ({ ...e, e: x }));
    }
    case 'fld': {
      if (arrowSpelt(e)) return e;
      const o = r(e.o);
      return o === e.o ? e : rebuilt(e, [o], () => ({ ...e, o }));
    }
    case 'idx': {
      const o = r(e.o);
      const i = r(e.i);
      return o === e.o && i === e.i ? e : rebuilt(e, [o, i], () => ({ ...e, o, i }));
    }
    case 'bin':
    case 'asg':
    case 'seq': {
      const l = r(e.l);
      const rr = r(e.r);
      return l === e.l && rr === e.r ? e : rebuilt(e, [l, rr], () => ({ ...e, l, r: rr }));
    }
    case 'cond': {
      const c = r(e.c);
      const a = r(e.a);
      const b = r(e.b);
      return c === e.c && a === e.a && b === e.b ? e : rebuilt(e, [c, a, b], () => ({ ...e, c, a, b }));
    }
    case 'call': {
      const a = e.a.map(r);
      return a.every((x, i) => x === e.a[i]) ? e : rebuilt(e, a, () => ({ ...e, a }));
    }
    default:
      return e;
  }
}

/*
 * One object per rewrite: keys, and the walk's other caches, are kept by expression object, and a
 * path that reads the same thing again must hit them.
 */
const made = new WeakMap<Expr, Map<string, Expr>>();
const ids = new WeakMap<Expr, number>();
let nextId = 0;

function idOf(e: Expr): number {
  let id = ids.get(e);
  if (id === undefined) ids.set(e, (id = nextId++));
  return id;
}

/** The object made from `e` under `key`, made once. */
function once(e: Expr, key: string, make: () => Expr): Expr {
  let m = made.get(e);
  if (!m) made.set(e, (m = new Map<string, Expr>()));
  let x = m.get(key);
  if (!x) m.set(key, (x = make()));
  return x;
}

/** `e` with its parts rewritten: one object per original and parts. */
function rebuilt(e: Expr, parts: Expr[], make: () => Expr): Expr {
  return once(e, parts.map(idOf).join(','), make);
}

/** `*p` (the expression `original`) as the storage `target`: one object per both. */
function storage(target: string, original: Expr): Expr {
  return once(original, `@${target}`, () => ({ t: 'id', n: `${STORAGE_PREFIX}${target}`, shown: exprText(original) }));
}
