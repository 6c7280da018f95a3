/**
 * Names of resources: where a mapping is stored. A struct field is named by
 * its struct type and field path (`PALPHA a; a->Regs` is `ALPHA.Regs`),
 * following field types where the struct definitions are known, so the
 * same storage reads the same from init, halt and helpers whatever the
 * variables are called. Array elements are one resource (`BAR.Va`).
 */
import type { Expr } from './ast.js';
import type { Program } from './program.js';

export interface VarType {
  ty: string;
  ptr: number;
}

/** Variables in scope of one function invocation. */
export interface TypeEnv {
  /** Prefix of local keys, unique per invocation. */
  frame: string;
  vars: Map<string, VarType>;
  /** Pointer parameters bound to a caller's `&x`: `*p` names the caller's x. */
  pointees?: Map<string, string>;
}

const UNKNOWN = '?';

/**
 * Prefix of a synthetic identifier that names storage by its key (`pathalias.ts` reads `*p` of a
 * local bound to `&X` as X): not a character of a C identifier.
 */
export const STORAGE_PREFIX = '@';

export class KeyMaker {
  constructor(private readonly program: Program) {}

  /** Struct tag behind a type name, through typedefs (`PALPHA` → `_ALPHA`). */
  canonicalType(ty: string): string {
    let cur = ty;
    for (let i = 0; i < 10; i++) {
      const next = this.program.typedefs.get(cur);
      if (!next || next === cur) break;
      cur = next;
    }
    return cur;
  }

  /** Display name of a canonical type: `_ALPHA` reads as `ALPHA`. */
  displayType(ty: string): string {
    return ty.replace(/^_+/, '') || ty;
  }

  /** The fields of a struct as a key names it (`ALPHA` for `_ALPHA`), or through its typedefs. */
  fieldsOf(ty: string): Record<string, string> | undefined {
    const structs = this.program.structs;
    return structs.get(ty) ?? structs.get(`_${ty}`) ?? structs.get(`__${ty}`) ?? structs.get(this.canonicalType(ty));
  }

  /** Does the program define a struct of this type (a key's display name, `ALPHA` for `_ALPHA`)? */
  isStruct(ty: string): boolean {
    const structs = this.program.structs;
    return [ty, `_${ty}`, `__${ty}`].some((t) => structs.has(t) || structs.has(this.canonicalType(t)));
  }

  /** The key of an lvalue expression, or undefined when it names no storage. */
  key(e: Expr, env: TypeEnv): string | undefined {
    let cur = e;
    while (cur.t === 'cast') cur = cur.e;
    if (cur.t === 'id') return cur.n.startsWith(STORAGE_PREFIX) ? cur.n.slice(1) : this.varKey(cur.n, env);
    if (cur.t === 'un' && cur.op === '*') {
      const inner = stripCasts(cur.e);
      // `*&x` is x: an allocation macro's `*_ppMemory = ...` handed `&pAdapter` writes pAdapter.
      if (inner.t === 'un' && inner.op === '&') return this.key(inner.e, env);
      if (inner.t === 'id' && env.pointees?.has(inner.n)) return env.pointees.get(inner.n);
      const k = this.key(inner, env);
      return k ? `*${k}` : undefined;
    }
    if (cur.t !== 'fld' && cur.t !== 'idx') return undefined;
    // Collect the access path from the base variable outwards; a cast on the base names its type.
    const segs: string[] = [];
    let base: Expr = cur;
    let castType: string | undefined;
    const strip = (e: Expr): Expr => {
      let x = e;
      while (x.t === 'cast') {
        castType = castType ?? x.ty;
        x = x.e;
      }
      return x;
    };
    for (;;) {
      if (base.t === 'fld') {
        castType = undefined;
        segs.unshift(base.f);
        base = strip(base.o);
        continue;
      }
      if (base.t === 'idx') {
        castType = undefined;
        segs.unshift('[]');
        base = strip(base.o);
        continue;
      }
      if (base.t === 'un' && base.op === '*') {
        base = strip(base.e);
        continue;
      }
      break;
    }
    // Storage named by its key: the access path goes on from it as written.
    if (base.t === 'id' && base.n.startsWith(STORAGE_PREFIX))
      return base.n.slice(1) + segs.map((s) => (s === '[]' ? s : `.${s}`)).join('');
    // Fold `[]` into the preceding field: Bars[] .Va
    const path: string[] = [];
    for (const s of segs) {
      if (s === '[]' && path.length) path[path.length - 1] += '[]';
      else if (s !== '[]') path.push(s);
    }
    let type = UNKNOWN;
    const castName = castType?.replace(/^(?:struct|union)\s*/, '').replace(/[*\s]|const/g, '');
    if (castName) {
      type = this.canonicalType(castName);
    } else if (base.t === 'id') {
      const vt = env.vars.get(base.n) ?? this.program.globals.get(base.n);
      if (vt) type = this.canonicalType(vt.ty);
      else if (!path.length) return undefined;
    }
    // Follow field types while the struct definitions are known, but never past the last
    // field: the struct that holds a field names it, not the type the field points to
    // (`Dev->Bar0` and `Dev->Bar1` of one pointer type are two resources).
    let at = 0;
    let curType = type;
    for (let i = 0; i < path.length - 1; i++) {
      const fields = this.program.structs.get(curType);
      const fieldName = path[i].replace(/\[\]$/, '');
      const ft = fields?.[fieldName];
      if (!ft) break;
      const next = this.canonicalType(ft);
      if (!this.program.structs.has(next)) break;
      curType = next;
      at = i + 1;
      type = next;
    }
    const rest = path.slice(at).join('.');
    return rest ? `${this.displayType(type)}.${rest}` : this.displayType(type);
  }

  private varKey(name: string, env: TypeEnv): string {
    if (env.vars.has(name)) return `${env.frame}:${name}`;
    return `G:${name}`;
  }
}

/**
 * `(PNDIS_MINIPORT_INTERRUPT)&Dev->Interrupt` reads as `(PNDIS_MINIPORT_INTERRUPT) & Dev->Interrupt`
 * to a parser that cannot know the name is a type: a bitwise AND means nothing as a handle, so it is
 * the cast of `&Dev->Interrupt`. `isValue` tells a variable or constant on the left (`Flags & Mask`,
 * a real AND) from a type name, where the caller can.
 */
export function castOfAddress(e: Expr, isValue?: (name: string) => boolean): Expr {
  if (e.t === 'bin' && e.op === '&' && e.l.t === 'id' && !isValue?.(e.l.n))
    return { t: 'un', op: '&', e: stripCasts(e.r) };
  return e;
}

/**
 * The pointer a field access reads through: `p` of `p->f` and of `(*p).f`, which is the same access
 * spelt otherwise; undefined for a field of a struct value (`s.f`).
 */
export function arrowBase(e: Extract<Expr, { t: 'fld' }>): Expr | undefined {
  const o = stripCasts(e.o);
  if (e.ar) return o;
  return o.t === 'un' && o.op === '*' ? stripCasts(o.e) : undefined;
}

export function stripCasts(e: Expr): Expr {
  let cur = e;
  while (cur.t === 'cast') cur = cur.e;
  return cur;
}

/** Same storage: equal keys, or equal field paths where one side's type is unknown. */
export function sameResource(a: string, b: string): boolean {
  if (a === b) return true;
  const ia = a.indexOf('.');
  const ib = b.indexOf('.');
  if (ia < 0 || ib < 0) return false;
  const ta = a.slice(0, ia);
  const tb = b.slice(0, ib);
  return (ta === UNKNOWN || tb === UNKNOWN) && a.slice(ia) === b.slice(ib);
}

/**
 * The struct holding a key's field, where the key says it: `ADAPTER` of `ADAPTER.Regs`. None for
 * an unknown type (`?.Regs`), an element (`ADAPTER.Bars[]`), a field of a field whose struct is
 * not known (`ADAPTER.Sub.Regs`), a dereference, a variable or a flag bit (`ADAPTER.Flags&4`).
 */
export function holderType(k: string): string | undefined {
  const dot = k.indexOf('.');
  if (dot <= 0 || k.includes('.', dot + 1) || ['[', ':', '&', '*'].some((c) => k.includes(c))) return undefined;
  const ty = k.slice(0, dot);
  return ty === UNKNOWN ? undefined : ty;
}

/** A key for display: `VNIC.Doorbell`, or the variable name for locals. */
export function displayKey(k: string): string {
  if (k.startsWith('*')) return `*${displayKey(k.slice(1))}`;
  if (k.startsWith('G:')) return k.slice(2);
  const m = /^[^.:]*#\d+:(.*)$/.exec(k);
  return m ? m[1] : k;
}
