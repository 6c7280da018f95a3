/**
 * Function-like macros at analysis time: a use is its parsed body with the
 * arguments put in, every call inside placed at the use site (a finding in
 * a macro is reported where the macro is used, never at the #define).
 */
import type { Expr, Pos, Stmt } from './ast.js';

/** The expressions a macro body evaluates, in order (statement macros read as a sequence). */
export function macroExprs(body: Stmt): Expr[] {
  const out: Expr[] = [];
  const visit = (s: Stmt | undefined): void => {
    if (!s) return;
    switch (s.k) {
      case 'blk':
        s.b.forEach(visit);
        break;
      case 'exp':
        out.push(s.e);
        break;
      case 'decl':
        for (const d of s.d) if (d.init) out.push(d.init);
        break;
      case 'if':
        out.push(s.c);
        visit(s.t);
        visit(s.f);
        break;
      case 'do':
        visit(s.b);
        break;
      case 'while':
        visit(s.b);
        break;
      case 'ret':
        if (s.e) out.push(s.e);
        break;
      default:
        break;
    }
  };
  visit(body);
  return out;
}

/**
 * A copy of `e` with each of its direct subexpressions passed through `f` (a call's callee and
 * arguments, an operand, an initializer's items); names, numbers and literals are returned as they are.
 */
export function mapSubexpressions(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.t) {
    case 'call':
      return { ...e, f: f(e.f), a: e.a.map(f) };
    case 'fld':
      return { ...e, o: f(e.o) };
    case 'idx':
      return { ...e, o: f(e.o), i: f(e.i) };
    case 'un':
    case 'post':
    case 'cast':
      return { ...e, e: f(e.e) };
    case 'bin':
    case 'asg':
    case 'seq':
      return { ...e, l: f(e.l), r: f(e.r) };
    case 'cond':
      return { ...e, c: f(e.c), a: f(e.a), b: f(e.b) };
    case 'init':
      return { ...e, items: e.items.map((it) => ({ ...it, e: f(it.e) })) };
    default:
      return e;
  }
}

/** Puts the arguments in for the parameters; every call inside reads as at the use site. */
export function substitute(e: Expr, params: string[], args: Expr[], at: Pos): Expr {
  const sub = (x: Expr): Expr => {
    switch (x.t) {
      case 'id': {
        const i = params.indexOf(x.n);
        return i >= 0 && args[i] ? args[i] : x;
      }
      case 'call':
        return { t: 'call', f: sub(x.f), a: x.a.map(sub), p: at };
      // An initializer's items are left as written (a macro's body is read for calls and stores).
      case 'init':
        return x;
      default:
        return mapSubexpressions(x, sub);
    }
  };
  return sub(e);
}

/**
 * Macro uses nested inside the expansion of other macros deeper than this
 * are not expanded: the walk stops there and says so. Real code nests a
 * handful (a WDK wrapper around a wrapper); a chain of plain wrappers does
 * not count against it (see `expandUse`).
 */
export const MAX_MACRO_NESTING = 32;

type Call = Extract<Expr, { t: 'call' }>;

/** A function-like macro's parameters and parsed body. */
export interface MacroDefinition {
  params: string[];
  body: Stmt;
}

export interface Expansion {
  /** What the use evaluates, arguments put in, every call placed at the use. */
  exprs: Expr[];
  /** The macros being expanded, outermost first: inside, C leaves their names alone. */
  painted: string[];
  /** Macro bodies put in (one per macro of a wrapper chain). */
  steps: number;
  /** The chain was longer than the steps allowed; `exprs` is where it stopped. */
  truncated: boolean;
}

/**
 * A use of a macro, expanded. A macro whose body is a single call of
 * another macro (a wrapper) is unwrapped here, in a loop: a chain of any
 * length costs neither recursion nor nesting depth. `painted` are the
 * macros already being expanded around the use, which C does not expand
 * again; `next` says which macro, if any, a call inside stands for (none
 * for a function, an API the caller watches, an unknown name).
 */
export function expandUse(
  use: Call,
  macro: MacroDefinition,
  name: string,
  painted: readonly string[],
  next: (name: string) => MacroDefinition | undefined,
  maxSteps: number,
): Expansion {
  const names = [...painted, name];
  const seen = new Set(names);
  let exprs = macroExprs(macro.body).map((x) => substitute(x, macro.params, use.a, use.p));
  let steps = 1;
  for (;;) {
    const only = exprs.length === 1 ? exprs[0] : undefined;
    if (only?.t !== 'call' || only.f.t !== 'id' || seen.has(only.f.n)) break;
    const inner = next(only.f.n);
    if (inner?.params.length !== only.a.length) break;
    if (steps >= maxSteps) return { exprs, painted: names, steps, truncated: true };
    names.push(only.f.n);
    seen.add(only.f.n);
    exprs = macroExprs(inner.body).map((x) => substitute(x, inner.params, only.a, use.p));
    steps++;
  }
  return { exprs, painted: names, steps, truncated: false };
}

/**
 * Does the expression nest deeper than `limit`? Arguments put into macro
 * bodies can nest an expression past what any parsed source does (each
 * level of a chain may wrap its argument once more); what walks it next
 * recurses. Looked at with a stack of its own.
 */
export function exprDeeperThan(e: Expr, limit: number): boolean {
  const todo: [Expr, number][] = [[e, 0]];
  for (let top = todo.pop(); top; top = todo.pop()) {
    const [x, d] = top;
    if (d > limit) return true;
    for (const c of childExprs(x)) todo.push([c, d + 1]);
  }
  return false;
}

function childExprs(x: Expr): Expr[] {
  switch (x.t) {
    case 'call':
      return [x.f, ...x.a];
    case 'fld':
      return [x.o];
    case 'idx':
      return [x.o, x.i];
    case 'un':
    case 'post':
    case 'cast':
      return [x.e];
    case 'bin':
    case 'asg':
    case 'seq':
      return [x.l, x.r];
    case 'cond':
      return [x.c, x.a, x.b];
    case 'init':
      return x.items.map((i) => i.e);
    default:
      return [];
  }
}
