/**
 * A file's parsed facts taken from its previous version when the edit kept every token as it was
 * (a comment added or removed, blank lines, spacing, indentation): the facts are a function of the
 * tokens, so the earlier reading is this one but for where things are, and each position moves to
 * where its token is now. The file is then not parsed at all; its bodies follow on demand
 * (`moveddetail.ts`).
 *
 * Where a reading could turn on more than the tokens, the file is parsed: a version whose parse
 * recovered from a syntax error, damaging or not (tree-sitter's error recovery weighs skipped bytes
 * and lines), regions read only with the project's macros expanded (their texts are spliced from the
 * source), a position no token marks. A body's own recovery is its own: bodies the file's parse left
 * out move or are parsed one by one, later (`moveddetail.ts` never moves a recovered one).
 */
import type { FieldAssign, FunctionFact, ParsedFacts } from './ast.js';
import type { ParsedEntry } from './filefacts.js';
import { gluedSign, tokenAt, type Tokens } from './lexer.js';
import type { Prepared } from './preprocess.js';
import { sameTokenDigest } from './factdigest.js';
import { lineOf, startsLine } from './text.js';

/**
 * What the comparison reads of a version: its text, its line starts, its tokens, and its prepared
 * build variants with theirs. The version a scan moved (or compared and then parsed) keeps it for the
 * next edit of the same file, which then reads only its new bytes.
 */
export interface Reading {
  text: string;
  lines: number[];
  tokens: Tokens;
  prepared: Prepared;
}

/** The earlier version of a path as the fact cache keeps it. */
export interface EarlierVersion {
  bytes: Uint8Array;
  parsed: ParsedEntry;
  reading?: Reading;
}

/**
 * The facts of `bytes` moved from `earlier`, or no `facts` when they must be parsed (see the module
 * comment); with the new version's reading when one was made.
 */
export function factsFromEarlier(
  earlier: EarlierVersion,
  bytes: Uint8Array,
  macroDigest: string | undefined,
  read: (bytes: Uint8Array) => Reading,
): { facts?: ParsedEntry; reading?: Reading } {
  const old = earlier.parsed;
  if ((old.macroDigest ?? '') !== (macroDigest ?? '')) return {};
  if (old.recovered || old.damagedLines.length || old.expansions?.length || old.expansionLimits?.length) return {};
  if (old.functions.some((f) => f.damaged || f.expansion !== undefined)) return {};
  const reading = read(bytes);
  const then = new Placed(earlier.reading ?? read(earlier.bytes));
  const now = new Placed(reading);
  if (!sameWords(then, now) || !sameReadings(then.reading.prepared, reading.prepared)) return { reading };
  try {
    return { facts: moveFacts(old, then, now), reading };
  } catch (e) {
    if (e instanceof NotOnToken) return { reading };
    throw e;
  }
}

/** Bytes a reading holds beyond its file's own, for a cache's bound. */
export function readingBytes(r: Reading): number {
  const tokenBytes = (t: Tokens) => t.count * 9;
  let n = r.text.length * 2 + r.lines.length * 8 + tokenBytes(r.tokens);
  for (const v of r.prepared.variants) n += v.length * 2;
  for (const t of r.prepared.tokens ?? []) n += tokenBytes(t);
  return n;
}

/** A position of the earlier facts that no token marks: the facts cannot be moved. */
class NotOnToken extends Error {}

/** A version's tokens and lines, with the questions the move asks of them. */
class Placed {
  readonly text: string;
  readonly toks: Tokens;
  readonly lines: number[];
  constructor(readonly reading: Reading) {
    this.text = reading.text;
    this.toks = reading.tokens;
    this.lines = reading.lines;
  }
  /** The token starting (or, `end`, ending) exactly at `offset`. */
  tokenAt(offset: number, end: boolean): number {
    const a = end ? this.toks.end : this.toks.start;
    let lo = 0;
    let hi = this.toks.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] === offset) return mid;
      if (a[mid] < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new NotOnToken();
  }
  offsetOf(line: number, col: number): number {
    if (line < 1 || line > this.lines.length) throw new NotOnToken();
    return this.lines[line - 1] + col - 1;
  }
  point(offset: number): [number, number] {
    const line = lineOf(this.lines, offset);
    return [line, offset - this.lines[line - 1] + 1];
  }
}

/** The same tokens in the same order (what positions are moved by). */
function sameWords(a: Placed, b: Placed): boolean {
  return sameTokens(a.text, a.toks, b.text, b.toks, false);
}

/**
 * The same build variants, each with the same tokens, each token starting a line in both or in
 * neither, each sign against its number in both or in neither: the rest of what the parse reads from
 * layout (where a body ends is found by a `}` that starts its line, an implicit `int` is supplied in
 * a run of spaces, `-1` is one literal and `- 1` a minus) shows in those.
 */
function sameReadings(a: Prepared, b: Prepared): boolean {
  if (a.variants.length !== b.variants.length || !a.tokens || !b.tokens) return false;
  if (a.functionClass.map((c) => c.roleType).join() !== b.functionClass.map((c) => c.roleType).join()) return false;
  return a.variants.every(
    (v, i) => a.tokens && b.tokens && sameTokens(v, a.tokens[i], b.variants[i], b.tokens[i], true),
  );
}

function sameTokens(at: string, a: Tokens, bt: string, b: Tokens, lineStarts: boolean): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) {
    const s = a.start[i];
    const t = b.start[i];
    const len = a.end[i] - s;
    if (a.kind[i] !== b.kind[i] || len !== b.end[i] - t) return false;
    if (lineStarts && startsLine(at, s) !== startsLine(bt, t)) return false;
    if (gluedSign(at, a, i) !== gluedSign(bt, b, i)) return false;
    for (let k = 0; k < len; k++) if (at.charCodeAt(s + k) !== bt.charCodeAt(t + k)) return false;
  }
  return true;
}

function moveFacts(old: ParsedEntry, then: Placed, now: Placed): ParsedEntry {
  /** Offsets of token starts and ends, moved. */
  const start = (o: number) => now.toks.start[then.tokenAt(o, false)];
  const end = (o: number) => now.toks.end[then.tokenAt(o, true)];
  const lineMemo = new Map<number, number>();
  /** Which earlier line each new line stands for: two joined into one would merge what told them apart. */
  const lineFrom = new Map<number, number>();
  /**
   * A position given by its line alone stands for a token on that line: the line moves when every
   * token starting on it moved to one line (an edit that split it leaves no one answer).
   */
  const line = (l: number): number => {
    const hit = lineMemo.get(l);
    if (hit !== undefined) return hit;
    if (l < 1 || l > then.lines.length) throw new NotOnToken();
    const from = then.lines[l - 1];
    const to = l < then.lines.length ? then.lines[l] : then.text.length + 1;
    let i = tokenAt(then.toks, from);
    if (i >= then.toks.count || then.toks.start[i] >= to) throw new NotOnToken();
    const moved = lineOf(now.lines, now.toks.start[i]);
    for (i++; i < then.toks.count && then.toks.start[i] < to; i++)
      if (lineOf(now.lines, now.toks.start[i]) !== moved) throw new NotOnToken();
    if ((lineFrom.get(moved) ?? l) !== l) throw new NotOnToken();
    lineFrom.set(moved, l);
    lineMemo.set(l, moved);
    return moved;
  };
  const fn = (f: FunctionFact): FunctionFact => {
    const [sl, sc, el, ec] = f.p;
    const a = now.point(start(then.offsetOf(sl, sc)));
    const b = now.point(end(then.offsetOf(el, ec)));
    const endTok = then.tokenAt(f.end, true);
    // The extractor's end line is the line of the definition's last token.
    if (lineOf(then.lines, then.toks.start[endTok]) !== f.endLine) throw new NotOnToken();
    return {
      ...f,
      p: [a[0], a[1], b[0], b[1]],
      endLine: lineOf(now.lines, now.toks.start[endTok]),
      start: start(f.start),
      bodyStart: start(f.bodyStart),
      end: end(f.end),
      refLines: f.refLines.map(line),
    };
  };
  const assign = (a: FieldAssign): FieldAssign => {
    const o = then.offsetOf(a.line, a.col);
    let i: number | undefined;
    try {
      i = then.tokenAt(o, false);
    } catch (e) {
      if (!(e instanceof NotOnToken) || a.col !== 1) throw e;
    }
    if (i === undefined) return { ...a, line: line(a.line) };
    const [l, c] = now.point(now.toks.start[i]);
    // Column 1 is also how the body scan marks an assignment by its line alone: read either way, the
    // token there stays at column 1 and its whole line moves as one, or the file is parsed.
    if (a.col === 1 && (c !== 1 || line(a.line) !== l)) throw new NotOnToken();
    return { ...a, line: l, col: c };
  };
  const functions = old.functions.map(fn);
  // Tokens digested for the earlier facts are these facts' own (`factdigest.ts`).
  old.functions.forEach((f, i) => {
    sameTokenDigest(f, functions[i]);
  });
  const out: ParsedFacts = {
    functions,
    decls: old.decls.map((d) => ({ ...d, line: line(d.line) })),
    assigns: old.assigns.map(assign),
    functionClass: old.functionClass.map((c) => ({ ...c, line: line(c.line) })),
    fileRefs: old.fileRefs.map((r) => ({ ...r, line: line(r.line) })),
    damagedLines: [],
    ...(old.limits ? { limits: old.limits.map((l) => ({ ...l, line: line(l.line) })) } : {}),
  };
  return old.macroDigest === undefined ? out : { ...out, macroDigest: old.macroDigest };
}
