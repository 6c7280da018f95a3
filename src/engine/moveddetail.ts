/**
 * A function's parsed body taken from the previous version of its file when the edit left the
 * function's tokens as they were (it only moved: lines added above it, a comment, spacing). The
 * body's syntax is a function of its tokens and the project's macros, so the earlier reading is
 * this one but for where things are: each position is moved to where its token is now. A re-scan
 * after an edit then parses only the bodies that changed.
 */
import type { Expr, FunctionDetail, FunctionFact, Pos, Stmt, VarDecl } from './ast.js';
import { mapSubexpressions } from './macros.js';
import { TokenPlaces } from './tokenplaces.js';

/** The earlier version of a file: its bytes (the owner of its texts), a variant's text, its facts. */
export interface EarlierFile {
  bytes: Uint8Array;
  variant(v: number): string | undefined;
  functions: FunctionFact[];
  details?: Record<string, FunctionDetail>;
  macroDigest?: string;
}

/**
 * The body of `fact` (in `text`, a variant of `bytes`) moved from the earlier version of its file,
 * or undefined: no earlier reading of a function of that name and variant with the same tokens,
 * read with the same macros and without damage (its notes name lines), or a position not on a token.
 */
export function detailFromEarlier(
  earlier: EarlierFile,
  bytes: Uint8Array,
  text: string,
  fact: FunctionFact,
  macroDigest: string | undefined,
): FunctionDetail | undefined {
  if (fact.expansion !== undefined || (earlier.macroDigest ?? '') !== (macroDigest ?? '')) return undefined;
  let now: TokenPlaces | undefined;
  for (const old of earlier.functions) {
    if (old.name !== fact.name || old.variant !== fact.variant || old.expansion !== undefined) continue;
    if (old.bodyLeftOut !== fact.bodyLeftOut) continue;
    const detail = earlier.details?.[`${String(old.variant)}:${String(old.start)}`];
    if (!detail || detail.damagedAt !== undefined || detail.recovered) continue;
    const oldText = earlier.variant(old.variant);
    if (oldText === undefined || old.end > oldText.length || fact.end > text.length) continue;
    now ??= new TokenPlaces(text, bytes, fact.start, fact.end);
    const then = new TokenPlaces(oldText, earlier.bytes, old.start, old.end);
    if (!then.sameTokens(now)) continue;
    const moved = moveDetail(detail, then, now);
    if (moved) return moved;
  }
  return undefined;
}

/** The detail with every position moved from the tokens of `then` to those of `now`; undefined if one is not on a token. */
function moveDetail(d: FunctionDetail, then: TokenPlaces, now: TokenPlaces): FunctionDetail | undefined {
  const point = (line: number, col: number, end: boolean): [number, number] | undefined => {
    const i = then.indexAt(line, col, end);
    return i === undefined ? undefined : now.pointOf(i, end);
  };
  let lost = 0;
  const pos = (p: Pos): Pos => {
    const a = point(p[0], p[1], false);
    const b = point(p[2], p[3], true);
    if (!a || !b) {
      lost++;
      return p;
    }
    return [a[0], a[1], b[0], b[1]];
  };
  /** A `__leave`'s label is named by where its `__try` starts (extract.ts): moved with it. */
  const label = (n: string): string => {
    const m = /^__leave@(\d+):(\d+)$/.exec(n);
    if (!m) return n;
    const a = point(Number(m[1]), Number(m[2]), false);
    if (!a) {
      lost++;
      return n;
    }
    return `__leave@${String(a[0])}:${String(a[1])}`;
  };
  // Each node copied field by field in its own order (spread, then the fields that hold positions).
  const expr = (e: Expr): Expr =>
    e.t === 'call' ? { ...e, f: expr(e.f), a: e.a.map(expr), p: pos(e.p) } : mapSubexpressions(e, expr);
  const decl = (v: VarDecl): VarDecl => (v.init ? { ...v, init: expr(v.init) } : v);
  const opt = <T>(x: T | undefined, f: (y: T) => T): T | undefined => (x === undefined ? undefined : f(x));
  const stmt = (s: Stmt): Stmt => {
    switch (s.k) {
      case 'blk':
        return { ...s, b: s.b.map(stmt) };
      case 'exp':
        return { ...s, e: expr(s.e), p: pos(s.p) };
      case 'decl':
        return { ...s, d: s.d.map(decl), p: pos(s.p) };
      case 'if':
        return s.f
          ? { ...s, c: expr(s.c), t: stmt(s.t), f: stmt(s.f), p: pos(s.p) }
          : { ...s, c: expr(s.c), t: stmt(s.t), p: pos(s.p) };
      case 'while':
        return { ...s, c: expr(s.c), b: stmt(s.b), p: pos(s.p) };
      case 'do':
        return { ...s, b: stmt(s.b), c: expr(s.c), p: pos(s.p) };
      case 'for': {
        const out: Stmt = { ...s, b: stmt(s.b), p: pos(s.p) };
        if (s.i) out.i = opt(s.i, stmt);
        if (s.c) out.c = opt(s.c, expr);
        if (s.u) out.u = opt(s.u, expr);
        return out;
      }
      case 'sw':
        return { ...s, c: expr(s.c), b: stmt(s.b), p: pos(s.p) };
      case 'case':
        return s.v ? { ...s, v: expr(s.v), p: pos(s.p) } : { ...s, p: pos(s.p) };
      case 'ret':
        return s.e ? { ...s, e: expr(s.e), p: pos(s.p) } : { ...s, p: pos(s.p) };
      case 'nop':
        return s;
      case 'goto':
      case 'lbl':
        return { ...s, n: label(s.n), p: pos(s.p) };
      default:
        return { ...s, p: pos(s.p) };
    }
  };
  const moved: FunctionDetail = { ...d, params: d.params.map(decl), body: stmt(d.body) };
  return lost ? undefined : moved;
}
