/**
 * A function's parsed body taken from the previous version of its file when the edit left the
 * function's tokens as they were (it only moved: lines added above it, a comment, spacing). The
 * body's syntax is a function of its tokens and the project's macros, so the earlier reading is
 * this one but for where things are: each position is moved to where its token is now. A re-scan
 * after an edit then parses only the bodies that changed.
 */
import type { Expr, FunctionDetail, FunctionFact, Pos, Stmt, VarDecl } from './ast.js';
import { tokenize } from './lexer.js';
import { mapSubexpressions } from './macros.js';
import { lineOf, lineStarts } from './text.js';

/** A function's tokens in its variant text, with the text's line starts. */
interface Read {
  text: string;
  lines: number[];
  start: Int32Array;
  end: Int32Array;
  count: number;
}

function readOf(text: string, lines: number[], fact: FunctionFact): Read {
  const from = fact.start;
  const t = tokenize(text, { at: from, lineStart: from === 0 || text.charCodeAt(from - 1) === 10 }, fact.end);
  return { text, lines, start: t.start, end: t.end, count: t.count };
}

const sameTokens = (a: Read, b: Read): boolean => {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) {
    const la = a.end[i] - a.start[i];
    if (la !== b.end[i] - b.start[i]) return false;
    if (a.text.slice(a.start[i], a.end[i]) !== b.text.slice(b.start[i], b.end[i])) return false;
  }
  return true;
};

const lineStartCache = new WeakMap<object, number[]>();
/** Line starts of a variant text, kept by the object that owns the text (its file's bytes). */
function linesOf(owner: object, text: string): number[] {
  let l = lineStartCache.get(owner);
  if (!l) lineStartCache.set(owner, (l = lineStarts(text)));
  return l;
}

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
  let now: Read | undefined;
  for (const old of earlier.functions) {
    if (old.name !== fact.name || old.variant !== fact.variant || old.expansion !== undefined) continue;
    if (old.bodyLeftOut !== fact.bodyLeftOut) continue;
    const detail = earlier.details?.[`${String(old.variant)}:${String(old.start)}`];
    if (!detail || detail.damagedAt !== undefined) continue;
    const oldText = earlier.variant(old.variant);
    if (oldText === undefined || old.end > oldText.length || fact.end > text.length) continue;
    now ??= readOf(text, linesOf(bytes, text), fact);
    const then = readOf(oldText, linesOf(earlier.bytes, oldText), old);
    if (!sameTokens(then, now)) continue;
    const moved = moveDetail(detail, then, now);
    if (moved) return moved;
  }
  return undefined;
}

/** The detail with every position moved from the tokens of `then` to those of `now`; undefined if one is not on a token. */
function moveDetail(d: FunctionDetail, then: Read, now: Read): FunctionDetail | undefined {
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (let i = 0; i < then.count; i++) {
    starts.set(then.start[i], i);
    ends.set(then.end[i], i);
  }
  const point = (line: number, col: number, end: boolean): [number, number] | undefined => {
    if (line < 1 || line > then.lines.length) return undefined;
    const i = (end ? ends : starts).get(then.lines[line - 1] + col - 1);
    if (i === undefined) return undefined;
    const off = end ? now.end[i] : now.start[i];
    const l = lineOf(now.lines, off);
    return [l, off - now.lines[l - 1] + 1];
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
      default:
        return { ...s, p: pos(s.p) };
    }
  };
  const moved: FunctionDetail = { ...d, params: d.params.map(decl), body: stmt(d.body) };
  return lost ? undefined : moved;
}
