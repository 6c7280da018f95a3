/**
 * Call sites of an API inside one function, looking through function-like
 * macros (a call from a macro is placed at the macro's use), with the
 * variable types in scope so the handle and length read as resource keys.
 */
import type { Expr, Pos, Stmt } from './ast.js';
import type { TypeEnv } from './keys.js';
import { macroExprs, substitute } from './macros.js';
import { walkExprs, type FnDef, type Program } from './program.js';

export interface ApiCall {
  call: Extract<Expr, { t: 'call' }>;
  /** Position reported: the call, or the outermost macro use. */
  p: Pos;
  env: TypeEnv;
  /** Macro used at the site, if any. */
  viaMacro?: string;
}

const envCache = new WeakMap<Stmt, TypeEnv>();

/** Variables in scope anywhere in a function (C allows no two locals of one name to disagree much in practice). */
export function functionEnv(fn: FnDef): TypeEnv {
  const hit = envCache.get(fn.body);
  if (hit) return hit;
  const vars = new Map<string, { ty: string; ptr: number }>();
  for (const p of fn.params) vars.set(p.n, { ty: p.ty, ptr: p.ptr });
  const visit = (s: Stmt | undefined): void => {
    if (!s) return;
    switch (s.k) {
      case 'blk':
        s.b.forEach(visit);
        break;
      case 'decl':
        for (const d of s.d) if (!vars.has(d.n)) vars.set(d.n, { ty: d.ty, ptr: d.ptr });
        break;
      case 'if':
        visit(s.t);
        visit(s.f);
        break;
      case 'while':
      case 'do':
      case 'sw':
        visit(s.b);
        break;
      case 'for':
        visit(s.i);
        visit(s.b);
        break;
      default:
        break;
    }
  };
  visit(fn.body);
  const env: TypeEnv = { frame: `${fn.name}#${fn.id}`, vars };
  envCache.set(fn.body, env);
  return env;
}

export function apiCalls(program: Program, fn: FnDef, api: string): ApiCall[] {
  const out: ApiCall[] = [];
  const env = functionEnv(fn);
  const visitExpr = (e: Expr, depth: number, via: string | undefined) => {
    if (e.t !== 'call' || e.f.t !== 'id') return;
    if (program.aliasOf(fn.file, e.f.n) === api) {
      out.push({ call: e, p: e.p, env, ...(via ? { viaMacro: via } : {}) });
      return;
    }
    if (depth > 6 || program.resolve(fn.file, e.f.n).length) return;
    const mb = program.macroBody(fn.file, e.f.n);
    if (!mb || mb.params.length !== e.a.length) return;
    const viaName = via ?? e.f.n;
    for (const x of macroExprs(mb.body)) {
      walkExprs({ k: 'exp', e: substitute(x, mb.params, e.a, e.p), p: e.p }, (inner) => {
        visitExpr(inner, depth + 1, viaName);
      });
    }
  };
  walkExprs(fn.body, (e) => {
    visitExpr(e, 0, undefined);
  });
  return out;
}

/** The first call in `caller` that reaches `callee` (directly or through a macro): the line a trace shows. */
export function callSiteOf(program: Program, caller: FnDef, callee: FnDef): Pos | undefined {
  let found: Pos | undefined;
  walkExprs(caller.body, (e) => {
    if (found || e.t !== 'call' || e.f.t !== 'id') return;
    const name = e.f.n;
    if (name === callee.name && program.resolve(caller.file, name).includes(callee)) {
      found = e.p;
      return;
    }
    if (program.macro(caller.file, name) && program.expandName(caller.file, name).some((x) => x.name === callee.name))
      found = e.p;
  });
  return found;
}
