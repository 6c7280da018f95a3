/**
 * Flag locals, for the lock rule's walks: a local every store into which is a constant
 * (`BOOLEAN fLocked = FALSE; ... NdisAcquireSpinLock(&A->Lock); fLocked = TRUE; ... if (fLocked)
 * NdisReleaseSpinLock(&A->Lock);`). A path remembers what each holds, so the test goes the way the
 * path set it: without that, the path that never took the lock "released" it, and the one that took
 * it "kept" it, two false findings on a common shape (athwifi's `Hvl11RequestExAccess`).
 */
import type { Expr, Stmt } from '../ast.js';
import type { CfgNode } from '../cfg.js';
import { stripCasts } from '../keys.js';
import { walkExprs, walkStmts, type Program } from '../program.js';
import { constantTruth, integerValue } from '../values.js';
import { storesByName } from './nonnull.js';

/** The truth of a condition that is a constant (`FALSE`, `0`, `1`, a `#define`d number), else undefined. */
export function constantCondition(c: Expr, program: Program, file: string): boolean | undefined {
  const e = stripCasts(c);
  if (e.t === 'id') {
    const t = constantTruth(e.n, program, file);
    return t === undefined ? undefined : t === 'NZ';
  }
  const v = integerValue(e, program, file);
  return v === undefined ? undefined : v !== 0n;
}

/** A store's value as a flag holds it: 0 or 1 (`FALSE`, `TRUE`, `0`, `1`); undefined for anything else. */
function flagValue(e: Expr, program: Program, file: string): boolean | undefined {
  const bare = stripCasts(e);
  const v = integerValue(bare, program, file);
  if (v !== undefined) return v === 0n ? false : v === 1n ? true : undefined;
  // `TRUE` and `FALSE` without the WDK's headers: known by their truth.
  if (bare.t !== 'id') return undefined;
  const t = constantTruth(bare.n, program, file);
  return t === undefined ? undefined : t === 'NZ';
}

/**
 * The flag locals of a body (`all`): declared once in it (not pointers), the address never taken
 * (`storesByName` counts `&f` as a store of no known value), the name in no macro's body but as a
 * field (a macro that sets it would store unseen), and every store a 0 or 1, or (`derived`) stored
 * once with a test of other flags (`BOOLEAN skip = (fLocked == FALSE);`), which holds what the test
 * gives where the store is made.
 */
export interface Flags {
  all: ReadonlySet<string>;
  derived: ReadonlyMap<string, Expr>;
}

const NO_FLAGS: Flags = { all: new Set(), derived: new Map() };
const flagsByBody = new WeakMap<Stmt, Flags>();

export function flagLocals(body: Stmt, program: Program, file: string): Flags {
  let hit = flagsByBody.get(body);
  if (hit) return hit;
  const declared = new Map<string, number>();
  walkStmts(body, (s) => {
    if (s.k === 'decl') for (const d of s.d) declared.set(d.n, d.ptr === 0 ? (declared.get(d.n) ?? 0) + 1 : 2);
  });
  const all = new Set<string>();
  const derived = new Map<string, Expr>();
  const stores = storesByName(body);
  const candidates: [string, readonly (Expr | undefined)[]][] = [];
  for (const [name, count] of declared) {
    const values = stores.get(name);
    if (count !== 1 || !values?.length || macroWords(program).has(name)) continue;
    if (values.every((v) => v !== undefined && flagValue(v, program, file) !== undefined)) all.add(name);
    else if (values.length === 1 && values[0]) candidates.push([name, values]);
  }
  // A test of flags, read over and over as more of them turn out to be flags (one reads another).
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, values] of candidates) {
      const v = values[0];
      if (all.has(name) || !v || !overFlags(v, all, program, file)) continue;
      all.add(name);
      derived.set(name, v);
      grew = true;
    }
  }
  flagsByBody.set(body, (hit = all.size ? { all, derived } : NO_FLAGS));
  return hit;
}

/** Is `e` a test of these flags alone (the shapes `flagTruth` reads)? */
function overFlags(e: Expr, flags: ReadonlySet<string>, program: Program, file: string): boolean {
  const x = stripCasts(e);
  switch (x.t) {
    case 'id':
      return flags.has(x.n);
    case 'un':
      return x.op === '!' && overFlags(x.e, flags, program, file);
    case 'bin':
      if (x.op === '&&' || x.op === '||')
        return overFlags(x.l, flags, program, file) && overFlags(x.r, flags, program, file);
      if (x.op !== '==' && x.op !== '!=') return false;
      return (
        (overFlags(x.l, flags, program, file) && flagValue(x.r, program, file) !== undefined) ||
        (overFlags(x.r, flags, program, file) && flagValue(x.l, program, file) !== undefined)
      );
    default:
      return false;
  }
}

const wordsByProgram = new WeakMap<Program, ReadonlySet<string>>();

/** Every identifier in a macro body of the program that may name a variable (not a field: `p->fLocked`). */
function macroWords(program: Program): ReadonlySet<string> {
  let hit = wordsByProgram.get(program);
  if (!hit) {
    const words = new Set<string>();
    for (const f of program.files.values())
      for (const m of f.lex.macros)
        for (const w of m.body.matchAll(/(?<!(?:->|\.)\s*)\b[A-Za-z_]\w*/g)) words.add(w[0]);
    wordsByProgram.set(program, (hit = words));
  }
  return hit;
}

/**
 * The stores into flags a node makes, in order: the flag and the value it then holds (undefined: a
 * derived flag whose test the path cannot tell).
 */
export function flagStores(
  n: CfgNode,
  exprs: readonly Expr[],
  flags: Flags,
  held: (flag: string) => boolean | undefined,
  program: Program,
  file: string,
): [string, boolean | undefined][] {
  if (flags.all.size === 0) return [];
  const out: [string, boolean | undefined][] = [];
  // A store reads the flags as the stores before it in the node left them.
  const now = (f: string) => {
    for (let i = out.length - 1; i >= 0; i--) if (out[i][0] === f) return out[i][1];
    return held(f);
  };
  const store = (name: string, value: Expr) => {
    if (!flags.all.has(name)) return;
    out.push([
      name,
      flags.derived.has(name) ? flagTruth(value, flags, now, program, file) : flagValue(value, program, file),
    ]);
  };
  if (n.t === 'decl') {
    for (const d of n.d) if (d.init) store(d.n, d.init);
    return out;
  }
  for (const e of exprs)
    walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
      if (x.t === 'asg' && x.op === '=' && x.l.t === 'id') store(x.l.n, x.r);
    });
  return out;
}

/**
 * The truth of a condition over flags (`f`, `!f`, `f == TRUE`, `f != 0`, `f && g`, in any casts), by
 * what the path set them to (`held`); undefined where it reads anything else or a flag not yet set.
 */
export function flagTruth(
  c: Expr,
  flags: Flags,
  held: (flag: string) => boolean | undefined,
  program: Program,
  file: string,
): boolean | undefined {
  if (flags.all.size === 0) return undefined;
  const e = stripCasts(c);
  switch (e.t) {
    case 'id':
      return flags.all.has(e.n) ? held(e.n) : undefined;
    case 'un': {
      if (e.op !== '!') return undefined;
      const v = flagTruth(e.e, flags, held, program, file);
      return v === undefined ? undefined : !v;
    }
    case 'bin': {
      if (e.op === '&&' || e.op === '||') {
        const l = flagTruth(e.l, flags, held, program, file);
        const r = flagTruth(e.r, flags, held, program, file);
        if (e.op === '&&') return l === false || r === false ? false : l && r ? true : undefined;
        return l === true || r === true ? true : l === false && r === false ? false : undefined;
      }
      if (e.op !== '==' && e.op !== '!=') return undefined;
      const l = stripCasts(e.l);
      const r = stripCasts(e.r);
      const [flag, other] = overFlags(l, flags.all, program, file) ? [l, r] : [r, l];
      const f = flagTruth(flag, flags, held, program, file);
      const k = flagValue(other, program, file);
      if (f === undefined || k === undefined) return undefined;
      return e.op === '==' ? f === k : f !== k;
    }
    default:
      return undefined;
  }
}
