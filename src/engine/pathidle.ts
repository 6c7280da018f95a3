/**
 * Statements the walk goes past without reading them: an `if` or a loop that
 * can change nothing the analysis keeps. A cleanup helper is mostly such
 * statements (`if (A->RxPkts) { for (...) NdisFreePacket(...); NdisFreeMemory(...);
 * A->RxPkts = NULL; }` in an analysis of mappings): walked, each split the path,
 * and each value it tested was kept, so the many paths of initialize reached
 * the helper in states that differed only there, and every arrival was walked
 * again (ti-am389x-emac's `EmacFreeAdapter`: 158 arrivals, 104 distinct).
 *
 * Idle: the test has no effect; nothing inside returns, jumps out (`goto`, a
 * `break` or `continue` that leaves it) or holds a label; every call inside is
 * of a function the walk would not step into, by name (not through a pointer,
 * not a macro), and not the resource's acquire or release, a correlated
 * acquire, a device wait or register write, a zeroing call or a list-head
 * initialisation; and what it writes (assignments, increments, `&x` handed to
 * a call, the fields the called functions write) is read by no test or return
 * the walk reads. The last is a fixed point: the tests inside idle statements
 * are not counted as read, so a statement that writes what only another idle
 * statement tests is idle too, and a statement that writes what a counted
 * test reads is not (nor, then, are the tests it holds left uncounted).
 *
 * The walk goes past one where, besides, none of its tests would teach the
 * path anything a later test or return reads (`teachesNothing`: a `Status`
 * tested in it and returned after it is walked, and split on). Going past then
 * leaves the state the walk keeps as either way through would: the statement
 * writes only storage read nowhere else, whose value is not kept. What its own
 * test reads through is learned, as for an inert `if` (`learnUnconditional`).
 */
import type { Expr, Stmt } from './ast.js';
import { castOfAddress, stripCasts } from './keys.js';
import { walkExprs, walkStmts, type FnDef } from './program.js';
import type { Analysis } from './pathcontext.js';
import { functionEnv } from './sites.js';
import { isDeviceWait, isListHeadInitCall, isValueName, isZeroingCall } from './values.js';
import { hasEffect, plainCallee } from './pathinert.js';

/** A statement the walk may go past, with the names it writes (by last name, as tests are counted). */
export interface IdleCandidate {
  stmt: Stmt;
  writes: Set<string>;
  /** Every test inside it, its own first: what the walk would learn walking it. */
  tests: Expr[];
}

/** Where `break` and `continue` inside the statement land: inside it, or outside (not idle). */
interface Scope {
  brk: boolean;
  cont: boolean;
}

/** `if`s and loops (`while`, `for`) of a body that could be idle, by their structure alone. */
export function idleCandidates(an: Analysis, fn: FnDef): IdleCandidate[] {
  const out: IdleCandidate[] = [];
  walkStmts(fn.body, (s) => {
    if (s.k !== 'if' && s.k !== 'while' && s.k !== 'for') return;
    const writes = new Set<string>();
    if (statementIdle(an, fn, s, { brk: false, cont: false }, writes)) out.push({ stmt: s, writes, tests: testsIn(s) });
  });
  return out;
}

/**
 * The tests a statement holds, as the walk would split on them: `if`, loop and `switch` tests, and
 * the operands of `&&`, `||` and `?:` inside its expressions.
 */
function testsIn(root: Stmt): Expr[] {
  const out: Expr[] = [];
  const inExpr = (e: Expr | undefined) => {
    if (!e) return;
    walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
      if (x.t === 'cond') out.push(x.c);
      else if (x.t === 'bin' && (x.op === '&&' || x.op === '||')) out.push(x.l, x.r);
    });
  };
  walkStmts(root, (s) => {
    switch (s.k) {
      case 'if':
      case 'while':
      case 'do':
      case 'sw':
        out.push(s.c);
        break;
      case 'for':
        if (s.c) out.push(s.c);
        inExpr(s.u);
        break;
      case 'exp':
        inExpr(s.e);
        break;
      case 'decl':
        for (const d of s.d) inExpr(d.init);
        break;
      default:
        break;
    }
  });
  return out;
}

/** The last name an assignment or increment writes (`Count`, `Flags` of `A->Flags`), if a plain one. */
export function writtenName(target: Expr): string | undefined {
  const t = stripCasts(target);
  if (t.t === 'id') return t.n;
  if (t.t === 'fld') return t.f;
  if (t.t === 'idx') return writtenName(t.o);
  return undefined;
}

function statementIdle(an: Analysis, fn: FnDef, s: Stmt | undefined, scope: Scope, writes: Set<string>): boolean {
  if (!s) return true;
  const expr = (e: Expr | undefined) => e === undefined || exprIdle(an, fn, e, writes);
  switch (s.k) {
    case 'blk':
      return s.b.every((x) => statementIdle(an, fn, x, scope, writes));
    case 'exp':
      return expr(s.e);
    case 'decl':
      return s.d.every((d) => {
        writes.add(d.n);
        return expr(d.init);
      });
    case 'nop':
    case 'case':
      return true;
    case 'if':
      return !hasEffect(s.c) && statementIdle(an, fn, s.t, scope, writes) && statementIdle(an, fn, s.f, scope, writes);
    case 'while':
      return !hasEffect(s.c) && statementIdle(an, fn, s.b, { brk: true, cont: true }, writes);
    case 'do':
      return !hasEffect(s.c) && statementIdle(an, fn, s.b, { brk: true, cont: true }, writes);
    case 'for':
      // Its start and step may write (`Count = 0`, `Count++`); its test may not.
      return (
        (s.c === undefined || !hasEffect(s.c)) &&
        statementIdle(an, fn, s.i, scope, writes) &&
        expr(s.u) &&
        statementIdle(an, fn, s.b, { brk: true, cont: true }, writes)
      );
    case 'sw':
      return !hasEffect(s.c) && statementIdle(an, fn, s.b, { brk: true, cont: scope.cont }, writes);
    case 'brk':
      return scope.brk;
    case 'cont':
      return scope.cont;
    case 'lbl':
    case 'goto':
    case 'ret':
      return false;
    default:
      return false;
  }
}

/** Does evaluating `e` do only what an idle statement may? Adds what it writes to `writes`. */
function exprIdle(an: Analysis, fn: FnDef, e: Expr, writes: Set<string>): boolean {
  let ok = true;
  walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
    if (!ok) return;
    if (x.t === 'asg' || x.t === 'post' || (x.t === 'un' && (x.op === '++' || x.op === '--'))) {
      const n = writtenName(x.t === 'asg' ? x.l : x.e);
      // `p = &A->Field` makes `p` an alias of storage (`pathalias.ts`): not idle.
      if (n === undefined || (x.t === 'asg' && takesAddress(x.r))) ok = false;
      else writes.add(n);
    } else if (x.t === 'call') ok = callIdle(an, fn, x, writes);
  });
  return ok;
}

/**
 * A call the walk would make opaque and whose effects on storage are named: a function by name
 * that the walk does not step into and that no rule treats specially. What it may write: the
 * storage it is handed the address of, and the fields the functions of that name write.
 */
function callIdle(an: Analysis, fn: FnDef, c: Extract<Expr, { t: 'call' }>, writes: Set<string>): boolean {
  const callee = stripCasts(c.f);
  if (callee.t !== 'id') return false;
  const file = fn.file;
  const vars = functionEnv(fn).vars;
  const name = plainCallee(an, fn, callee.n);
  if (name === undefined || an.program.macro(file, callee.n)) return false;
  if (isDeviceWait(name) || /write/i.test(name) || isZeroingCall(name) || name === 'memset') return false;
  if (isListHeadInitCall(name)) return false;
  const targets = an.program.resolve(file, name);
  if (targets.some((t) => an.relevant.has(t))) return false;
  for (const t of targets) {
    for (const f of an.program.fieldWritesOf(t)) writes.add(f);
    for (const m of an.program.maskedWritesOf(t)) writes.add(m.slice(0, m.search(/[|&]=/)));
  }
  // `&x` handed over (or `(PVOID) &x` read as an AND with a type name): `x` may be written.
  let ok = true;
  for (const a of c.a)
    walkExprs({ k: 'exp', e: a, p: [0, 0, 0, 0] }, (x) => {
      if (!ok) return;
      const addr = x.t === 'un' && x.op === '&' ? x.e : addressed(x, (n) => isValueName(an.program, n, vars, file));
      if (addr === undefined) return;
      const n = writtenName(addr);
      if (n === undefined) ok = false;
      else writes.add(n);
    });
  return ok;
}

function takesAddress(e: Expr): boolean {
  let found = false;
  walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
    if (x.t === 'un' && x.op === '&') found = true;
  });
  return found;
}

/**
 * Names the walk reads outside the idle statements: everywhere a name's value is used, that is
 * all but the storage an `=` writes and the storage whose address is handed to a call that is not
 * the resource's (an out-parameter). Tests and returns are reads; so are the resource calls'
 * arguments, and a copy's source (`p = A->Regs` makes `p` a name of what `A->Regs` holds).
 */
export function namesRead(an: Analysis, fns: readonly FnDef[], idle: { has(s: Stmt): boolean }): Set<string> {
  const out = new Set<string>();
  const resourceCall = (c: Extract<Expr, { t: 'call' }>, file: string): boolean => {
    const f = stripCasts(c.f);
    if (f.t !== 'id') return true;
    const name = an.program.aliasOf(file, f.n);
    const r = an.resource;
    // Another resource's acquire (`correlatedAcquire`) reads its arguments as any call does and only
    // writes the handle it is handed the address of (its status decides that handle): `&A->Intr` is
    // a write there, as in the deregistration of a cleanup routine, which is then idle where nothing
    // else reads it.
    return name === r.acquire.call || name === r.release.call;
  };
  const target = (t: Expr, file: string): void => {
    const x = stripCasts(t);
    if (x.t === 'id') return;
    if (x.t === 'fld') read(x.o, file);
    else if (x.t === 'idx') {
      read(x.o, file);
      read(x.i, file);
    } else read(x, file);
  };
  const read = (e: Expr | undefined, file: string): void => {
    if (!e) return;
    switch (e.t) {
      case 'id':
        out.add(e.n);
        return;
      case 'fld':
        out.add(e.f);
        read(e.o, file);
        return;
      case 'asg':
        if (e.op === '=') target(e.l, file);
        else read(e.l, file);
        read(e.r, file);
        return;
      case 'call': {
        read(e.f, file);
        const own = resourceCall(e, file);
        for (const a of e.a) {
          const x = stripCasts(a);
          if (!own && x.t === 'un' && x.op === '&') target(x.e, file);
          else read(a, file);
        }
        return;
      }
      case 'idx':
        read(e.o, file);
        read(e.i, file);
        return;
      case 'un':
      case 'post':
      case 'cast':
        read(e.e, file);
        return;
      case 'bin':
      case 'seq':
        read(e.l, file);
        read(e.r, file);
        return;
      case 'cond':
        read(e.c, file);
        read(e.a, file);
        read(e.b, file);
        return;
      case 'init':
        for (const i of e.items) read(i.e, file);
        return;
      default:
        return;
    }
  };
  for (const fn of fns) {
    const file = fn.file;
    const todo: (Stmt | undefined)[] = [fn.body];
    for (let s = todo.pop(); todo.length || s; s = todo.pop()) {
      if (!s || idle.has(s)) continue;
      switch (s.k) {
        case 'blk':
          todo.push(...s.b);
          break;
        case 'exp':
          read(s.e, file);
          break;
        case 'decl':
          for (const d of s.d) read(d.init, file);
          break;
        case 'if':
          read(s.c, file);
          todo.push(s.t, s.f);
          break;
        case 'while':
        case 'do':
        case 'sw':
          read(s.c, file);
          todo.push(s.b);
          break;
        case 'for':
          read(s.c, file);
          read(s.u, file);
          todo.push(s.i, s.b);
          break;
        case 'case':
          read(s.v, file);
          break;
        case 'ret':
          read(s.e, file);
          break;
        default:
          break;
      }
    }
  }
  return out;
}

/** What `(T) &x` read as `(T) & x` takes the address of, if it is one. */
function addressed(x: Expr, isValue: (name: string) => boolean): Expr | undefined {
  const bare = castOfAddress(x, isValue);
  if (bare === x) return undefined;
  return bare.t === 'un' && bare.op === '&' ? bare.e : bare;
}
