/**
 * Where a context rule cannot decide, and so says nothing: a macro with
 * several definitions (one per `#if` branch: which one is built is not
 * known), and a call in a helper guarded by a condition the caller decides
 * (a parameter of the helper, or a field the callback that reaches it
 * writes: `if (Adapter->Flags & ACTIVE)` in a function the start-up code
 * runs before it sets ACTIVE).
 */
import type { Expr, Pos, Stmt } from '../ast.js';
import { walkExprs, type FnDef, type Program } from '../program.js';
import { storesByName } from './nonnull.js';

const definitions = new WeakMap<Program, Map<string, Set<string>>>();

/** True when the program defines this macro more than once with different bodies. */
export function conditionalMacro(program: Program, name: string): boolean {
  let byName = definitions.get(program);
  if (!byName) {
    byName = new Map();
    for (const f of program.files.values())
      for (const m of f.lex.macros) {
        const bodies = byName.get(m.name) ?? new Set<string>();
        bodies.add(`${m.params?.join(',') ?? ''}|${m.body.replace(/\s+/g, ' ').trim()}`);
        byName.set(m.name, bodies);
      }
    definitions.set(program, byName);
  }
  return (byName.get(name)?.size ?? 0) > 1;
}

/** Conditions (of `if`, loops, `switch`) around the statement at `p` in a body. */
export function enclosingConditions(body: Stmt, p: Pos): Expr[] {
  const inside = (q: Pos) =>
    (q[0] < p[0] || (q[0] === p[0] && q[1] <= p[1])) && (q[2] > p[2] || (q[2] === p[2] && q[3] >= p[3]));
  let found: Expr[] | undefined;
  const visit = (s: Stmt | undefined, conds: Expr[]): void => {
    if (!s || found) return;
    switch (s.k) {
      case 'blk':
        for (const x of s.b) visit(x, conds);
        return;
      case 'if':
        visit(s.t, [...conds, s.c]);
        visit(s.f, [...conds, s.c]);
        return;
      case 'while':
      case 'do':
        visit(s.b, [...conds, s.c]);
        return;
      case 'for':
        visit(s.b, s.c ? [...conds, s.c] : conds);
        return;
      case 'sw':
        visit(s.b, [...conds, s.c]);
        return;
      case 'exp':
      case 'decl':
      case 'ret':
        if (inside(s.p)) found = conds;
        return;
      default:
        return;
    }
  };
  visit(body, []);
  return found ?? [];
}

/**
 * True when the call at `p` in `fn` (a helper reached from `root`) is guarded
 * by a condition that reads a parameter of `fn` or a field that `root`, or
 * what it calls, writes.
 */
export function guardedByCaller(program: Program, root: FnDef, fn: FnDef, p: Pos): boolean {
  const params = new Set(fn.params.map((x) => x.n));
  const written = program.fieldWritesOf(root);
  const stored = storesByName(fn.body);
  let decided = false;
  // A local tested there reads what was stored in it (`BOOLEAN on = (A->Flags & ACTIVE); if (on)`).
  const seen = new Set<string>();
  const read = (c: Expr): void => {
    walkExprs({ k: 'exp', e: c, p }, (e) => {
      if ((e.t === 'id' && params.has(e.n)) || (e.t === 'fld' && written.has(e.f))) decided = true;
      else if (e.t === 'id' && !seen.has(e.n)) {
        seen.add(e.n);
        for (const x of stored.get(e.n) ?? []) if (x) read(x);
      }
    });
  };
  for (const c of enclosingConditions(fn.body, p)) read(c);
  return decided;
}
