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
      case 'fld':
        return { ...x, o: sub(x.o) };
      case 'idx':
        return { ...x, o: sub(x.o), i: sub(x.i) };
      case 'un':
      case 'post':
      case 'cast':
        return { ...x, e: sub(x.e) };
      case 'bin':
      case 'asg':
        return { ...x, l: sub(x.l), r: sub(x.r) };
      case 'cond':
        return { ...x, c: sub(x.c), a: sub(x.a), b: sub(x.b) };
      case 'seq':
        return { ...x, l: sub(x.l), r: sub(x.r) };
      default:
        return x;
    }
  };
  return sub(e);
}
