/**
 * Tests the walk need not split on. A driver's debug prints are `if`s
 * (`DBG_FILTER(A, M, S)` is `{ if ((A) && ((A)->DbgFlags & M)) DbgPrint S; }`),
 * dozens of them on one path: each split the path in two that differed only in
 * a debug flag, and the copies multiplied up to the join width at every label.
 * An `if` whose test has no effect and whose arms only call functions the walk
 * knows nothing of, with plain arguments, ends in the same state whichever way
 * it goes: the walk goes on once, past it, learning only what the test reads
 * through whatever way it goes (`A->DbgFlags & 8`: `A` is not NULL).
 */
import type { Expr, Stmt } from './ast.js';
import { castOfAddress, stripCasts } from './keys.js';
import { walkExprs } from './program.js';
import { isDeviceWait, isReadOnlyCall, isValueName } from './values.js';
import type { State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';
import type { FnDef } from './program.js';
import { functionEnv } from './sites.js';
import { markDerefs } from './pathnull.js';

/** Does evaluating it call, assign or increment anything? */
export function hasEffect(e: Expr): boolean {
  let found = false;
  walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
    if (x.t === 'call' || x.t === 'asg' || x.t === 'post' || (x.t === 'un' && (x.op === '++' || x.op === '--')))
      found = true;
  });
  return found;
}

/**
 * Is this `if` one the walk goes past without splitting here? Its outcome leaves the state the
 * same either way (`quietIf`), and what its test would teach decides nothing later: each value it
 * tests is read by no other test or return on the walk (`an.deciding`), or is one the path already
 * knows (`A` in `A && A->DbgFlags & M`, where `A` was used before). `if (Status != SUCCESS)
 * DbgPrint(...)` before `return Status;` is split on: which way it went decides what is returned.
 */
export function isInertIf(an: Analysis, s: Extract<Stmt, { k: 'if' }>, fn: FnDef, st: State, ctx: Ctx): boolean {
  return quietIf(an, s, fn) && teachesNothing(an, s.c, st, ctx);
}

/**
 * Does the walk lose nothing by not learning what this test would teach? Each value it reads is
 * read by no other test or return (`an.deciding`), or the path knows it already.
 */
export function teachesNothing(an: Analysis, e: Expr, st: State, ctx: Ctx): boolean {
  const x = stripCasts(e);
  if (x.t === 'bin' && (x.op === '&&' || x.op === '||'))
    return teachesNothing(an, x.l, st, ctx) && teachesNothing(an, x.r, st, ctx);
  if (x.t === 'un' && x.op === '!') return teachesNothing(an, x.e, st, ctx);
  if (x.t === 'id' || x.t === 'fld') {
    const n = x.t === 'id' ? x.n : x.f;
    if (!an.deciding.has(n)) return true;
    const k = keyOf(an, x, ctx.env);
    const v = k === undefined || st.res.has(k) ? undefined : st.vals.get(k);
    if (v === undefined) return false;
    if (v.k === 'Z' || v.k === 'NZ') return true;
    return v.k === 'sym' && st.cons.has(v.id.startsWith('!') ? v.id.slice(1) : v.id);
  }
  // Any other test (`A->Flags & M`, `Mode == 3`): the values it reads, not the pointers it reads through.
  return valueNames(x).every((n) => !an.deciding.has(n));
}

/**
 * Does this test teach nothing whatever the path knows? It reads no value named in `read` (the
 * names some other step decides by) but constants: going past it (`pathdead.ts`) loses nothing a
 * later step uses.
 */
export function neverTeachesIn(read: ReadonlySet<string>, e: Expr, constant: (name: string) => boolean): boolean {
  const x = stripCasts(e);
  if (x.t === 'bin' && (x.op === '&&' || x.op === '||'))
    return neverTeachesIn(read, x.l, constant) && neverTeachesIn(read, x.r, constant);
  if (x.t === 'un' && x.op === '!') return neverTeachesIn(read, x.e, constant);
  if (x.t === 'id' || x.t === 'fld') return !read.has(x.t === 'id' ? x.n : x.f);
  // `NULL != A->Pool`: the constant holds nothing a test could teach.
  return valueNames(x, true).every((n) => !read.has(n) || (x.t === 'bin' && constant(n)));
}

/**
 * The variables and fields an expression reads the value of (`Flags` in `A->Flags & M`, not `A`); of an
 * element, its index, or with `elements` the array (`Pool` in `A->Pool[i]`).
 */
function valueNames(e: Expr, elements = false): string[] {
  const out: string[] = [];
  const visit = (x: Expr): void => {
    switch (x.t) {
      case 'id':
        out.push(x.n);
        return;
      case 'fld':
        out.push(x.f);
        return;
      case 'idx':
        // `elements`: what a test of `A->Pool[i]` teaches is of the array's element, not of `i`.
        visit(elements ? x.o : x.i);
        return;
      case 'un':
        if (x.op === '*' || x.op === '&') return;
        visit(x.e);
        return;
      case 'post':
      case 'cast':
        visit(x.e);
        return;
      case 'bin':
        visit(x.l);
        visit(x.r);
        return;
      case 'cond':
        visit(x.c);
        visit(x.a);
        visit(x.b);
        return;
      default:
        return;
    }
  };
  visit(e);
  return out;
}

/** Does this `if` leave the path's state the same whichever way it goes? */
export function quietIf(an: Analysis, s: Extract<Stmt, { k: 'if' }>, fn: FnDef): boolean {
  let hit = an.inertIfs.get(s);
  if (hit === undefined) {
    hit = !hasEffect(s.c) && quietArm(an, s.t, fn) && (!s.f || quietArm(an, s.f, fn));
    an.inertIfs.set(s, hit);
  }
  return hit;
}

/** An arm of quiet calls, and quiet `if`s and `do { } while (0)`s of them (`if (A->DbgFlags & BREAK) DbgBreakPoint();`). */
function quietArm(an: Analysis, s: Stmt, fn: FnDef): boolean {
  switch (s.k) {
    case 'blk':
      return s.b.every((x) => quietArm(an, x, fn));
    case 'exp':
      return quietCall(an, s.e, fn);
    case 'if':
      return quietIf(an, s, fn);
    case 'do':
      return !hasEffect(s.c) && quietArm(an, s.b, fn);
    case 'nop':
      return true;
    default:
      return false;
  }
}

/** A call whose arguments assign nothing and call only what `quietCallee` allows (`DbgPrint("%s", Name(A))`). */
function quietCall(an: Analysis, e: Expr, fn: FnDef): boolean {
  const c = stripCasts(e);
  if (c.t !== 'call') return false;
  let ok = true;
  walkExprs({ k: 'exp', e: c, p: [0, 0, 0, 0] }, (x) => {
    if (!ok) return;
    if (x.t === 'asg' || x.t === 'post' || (x.t === 'un' && (x.op === '++' || x.op === '--'))) ok = false;
    else if (x.t === 'call') ok = quietCallee(an, x, fn);
  });
  return ok;
}

/**
 * The name a call by `raw` calls, when the walk would treat it as a plain call: not a variable (a
 * call through a pointer), not the resource's acquire or release or a correlated acquire, not a
 * macro. Undefined otherwise. Shared by the inert `if`s here and the idle statements
 * (`pathidle.ts`), which each add their own conditions.
 */
export function plainCallee(an: Analysis, fn: FnDef, raw: string): string | undefined {
  const file = fn.file;
  if (functionEnv(fn).vars.has(raw) || an.program.globals.has(raw)) return undefined;
  const name = an.program.aliasOf(file, raw);
  const r = an.resource;
  if (name === r.acquire.call || name === r.release.call || an.correlated.has(name)) return undefined;
  if (an.program.macroBody(file, raw) || an.program.macroBody(file, name)) return undefined;
  return name;
}

/**
 * A call the walk would make opaque and that changes nothing it keeps: a function no file
 * defines and no macro names, not the resource's calls, not through a pointer; a WDK call that
 * only reads what it is handed (`DbgPrint`), or else one that is not a wait or register write
 * and is handed no address.
 */
function quietCallee(an: Analysis, c: Extract<Expr, { t: 'call' }>, fn: FnDef): boolean {
  if (c.f.t !== 'id') return false;
  const file = fn.file;
  const name = plainCallee(an, fn, c.f.n);
  if (name === undefined || an.program.resolve(file, name).length > 0) return false;
  if (isReadOnlyCall(name)) return true;
  if (isDeviceWait(name) || /write/i.test(name)) return false;
  const vars = functionEnv(fn).vars;
  // `(PVOID) &x` may read as an AND with a type name (`castOfAddress`): an address all the same.
  return !c.a.some((a) => takesAddress(a, (n) => isValueName(an.program, n, vars, file)));
}

function takesAddress(e: Expr, isValue: (name: string) => boolean): boolean {
  let found = false;
  walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
    if (x.t === 'un' && x.op === '&') found = true;
    else if (castOfAddress(x, isValue) !== x) found = true;
  });
  return found;
}

/**
 * What a test teaches whichever way it goes: the pointers it reads through before any `&&`, `||`
 * or `?:` could skip the read (`A->Flags & 8` reads through `A`; `A && A->Flags` does not).
 */
export function learnUnconditional(an: Analysis, e: Expr, s: State, ctx: Ctx): void {
  const x = stripCasts(e);
  switch (x.t) {
    case 'bin':
      learnUnconditional(an, x.l, s, ctx);
      if (x.op !== '&&' && x.op !== '||') learnUnconditional(an, x.r, s, ctx);
      return;
    case 'cond':
      learnUnconditional(an, x.c, s, ctx);
      return;
    case 'un':
      if (x.op === '*') markDerefs(an, x, s, ctx);
      else learnUnconditional(an, x.e, s, ctx);
      return;
    case 'fld':
    case 'idx':
      markDerefs(an, x, s, ctx);
      if (x.t === 'idx') learnUnconditional(an, x.i, s, ctx);
      return;
    default:
      return;
  }
}
