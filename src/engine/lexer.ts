/**
 * A small C tokenizer. It is the cheap pass every file gets (an order of
 * magnitude faster than a tree-sitter parse): it feeds the identifier index
 * that decides which files need a parse, the macro and typedef tables, and
 * the annotation neutraliser. Comments and string contents never produce
 * identifiers; a preprocessor line (with its continuations) is one token.
 * Hand-written over char codes: a regex alternation was ten times slower.
 */

export const enum Tok {
  Ident = 1,
  Number = 2,
  String = 3,
  Punct = 4,
  Directive = 5,
}

/** Token kinds, a byte each: only `tokenize` writes them, so every element below `count` is a `Tok`. */
export type TokKinds = Uint8Array & Record<number, Tok>;

/** Room for `n` token kinds (the bytes are Tok values once written). */
export const tokKinds = (n: number) => new Uint8Array(n) as unknown as TokKinds;

export interface Tokens {
  kind: TokKinds;
  start: Int32Array;
  end: Int32Array;
  count: number;
}

const IDENT_START = 1;
const IDENT_PART = 2;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_$]/.test(ch)) CLASS[c] = IDENT_START | IDENT_PART;
  else if (/[0-9]/.test(ch)) CLASS[c] = IDENT_PART;
}

const isIdentPart = (c: number) => c < 128 && (CLASS[c] & IDENT_PART) !== 0;

/** Length of the punctuator at i (1 to 3). */
function punctLength(text: string, i: number, c: number): number {
  const d = text.charCodeAt(i + 1);
  switch (c) {
    case 45:
      /* - */ return d === 62 || d === 45 || d === 61 ? 2 : 1;
    case 43:
      /* + */ return d === 43 || d === 61 ? 2 : 1;
    case 60:
      /* < */ if (d === 60) return text.charCodeAt(i + 2) === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 62:
      /* > */ if (d === 62) return text.charCodeAt(i + 2) === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 38:
      /* & */ return d === 38 || d === 61 ? 2 : 1;
    case 124:
      /* | */ return d === 124 || d === 61 ? 2 : 1;
    case 61:
    case 33:
    case 42:
    case 47:
    case 37:
    case 94:
      return d === 61 ? 2 : 1;
    case 35:
      /* # */ return d === 35 ? 2 : 1;
    case 46:
      /* . */ return d === 46 && text.charCodeAt(i + 2) === 46 ? 3 : 1;
    default:
      return 1;
  }
}

/** End of a `//` comment: the line end, unless the line ends in a backslash. */
function lineCommentEnd(text: string, from: number): number {
  let j = from;
  for (;;) {
    const nl = text.indexOf('\n', j);
    if (nl < 0) return text.length;
    let k = nl - 1;
    if (text.charCodeAt(k) === 13) k--;
    if (text.charCodeAt(k) === 92) {
      j = nl + 1;
      continue;
    }
    return nl;
  }
}

/** End of a directive at i: its line and continuation lines; block comments inside extend it. */
function directiveEnd(text: string, i: number): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 10) {
      let k = j - 1;
      if (text.charCodeAt(k) === 13) k--;
      if (text.charCodeAt(k) === 92) {
        j++;
        continue;
      }
      return j;
    }
    if (c === 47) {
      const d = text.charCodeAt(j + 1);
      if (d === 42) {
        const e = text.indexOf('*/', j + 2);
        j = e < 0 ? n : e + 2;
        continue;
      }
      if (d === 47) {
        j = lineCommentEnd(text, j + 2);
        continue;
      }
    }
    // A string in a directive (`#define URL "http://x/*"`) hides comment openers.
    if (c === 34) {
      j = stringEnd(text, j, c);
      continue;
    }
    j++;
  }
  return n;
}

/**
 * The tokens of `text`. With `from`, the lexing resumes at a point where it is between tokens (see
 * `tokensOfRegion`), with the line-start state it had there, and stops before the first token that
 * begins at or past `to`: the tokens a whole lexing gives from there up to `to`.
 */
export function tokenize(text: string, from?: { at: number; lineStart: boolean }, to = text.length): Tokens {
  const n = text.length;
  const stop = Math.min(to, n);
  let cap = Math.max(16, (stop - (from?.at ?? 0)) >> 2);
  let kind = tokKinds(cap);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let count = 0;
  const push = (k: Tok, s: number, e: number) => {
    if (count === cap) {
      cap *= 2;
      const k2 = tokKinds(cap);
      k2.set(kind);
      kind = k2;
      const s2 = new Int32Array(cap);
      s2.set(start);
      start = s2;
      const e2 = new Int32Array(cap);
      e2.set(end);
      end = e2;
    }
    kind[count] = k;
    start[count] = s;
    end[count] = e;
    count++;
  };
  let lineStart = from?.lineStart ?? true;
  let i = from?.at ?? 0;
  while (i < stop) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if (c === 47) {
      const d = text.charCodeAt(i + 1);
      if (d === 42) {
        const e = text.indexOf('*/', i + 2);
        i = e < 0 ? n : e + 2;
        continue;
      }
      if (d === 47) {
        i = lineCommentEnd(text, i + 2);
        continue;
      }
    }
    if (c === 92) {
      // a stray line continuation outside a directive
      i++;
      continue;
    }
    if (c === 35 && lineStart) {
      const e = directiveEnd(text, i);
      push(Tok.Directive, i, e);
      i = e;
      lineStart = false;
      continue;
    }
    lineStart = false;
    if (c < 128 && (CLASS[c] & IDENT_START) !== 0) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      const q = text.charCodeAt(j);
      if ((q === 34 || q === 39) && j - i <= 2 && isStringPrefix(text, i, j)) {
        const e = stringEnd(text, j, q);
        push(Tok.String, i, e);
        i = e;
        continue;
      }
      push(Tok.Ident, i, j);
      i = j;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57)) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isIdentPart(d) || d === 46) {
          j++;
          continue;
        }
        if ((d === 43 || d === 45) && /[eEpP]/.test(text[j - 1])) {
          j++;
          continue;
        }
        break;
      }
      push(Tok.Number, i, j);
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const e = stringEnd(text, i, c);
      push(Tok.String, i, e);
      i = e;
      continue;
    }
    const len = punctLength(text, i, c);
    push(Tok.Punct, i, i + len);
    i += len;
  }
  return { kind, start, end, count };
}

/**
 * The tokens of `text` from `at` to `to`, where `text` is `base` (whose tokens are `baseToks`) with
 * its part from `at` on replaced: what `tokenize(text)` gives for tokens that begin in [at, to), and
 * possibly some before. The lexing resumes at the end of a token of `base` that ends a few
 * characters before `at`: the texts agree up to `at`, so the lexer was between tokens there in both,
 * past the start of a line, and what made that token end (the characters after it) is the same.
 */
export function tokensOfRegion(base: string, baseToks: Tokens, text: string, at: number, to: number): Tokens {
  // The last token of `base` before the first at or after `at` whose end the lexer found without
  // looking at or past `at` (a punctuator reads up to two characters ahead).
  let last = tokenAt(baseToks, at) - 1;
  while (last >= 0 && baseToks.end[last] + LOOKAHEAD > at) last--;
  if (base.length < at) return tokenize(text, undefined, to);
  return tokenize(text, last < 0 ? { at: 0, lineStart: true } : { at: baseToks.end[last], lineStart: false }, to);
}

/**
 * Token `i` is a `-` or `+` written right against the number after it. tree-sitter's C grammar reads
 * `-1` as one number literal and `- 1` as a unary minus, where this lexer gives two tokens either way:
 * what is compared as "the same tokens" compares this too (`movedfacts.ts`, `tokenplaces.ts`).
 */
export function gluedSign(text: string, toks: Tokens, i: number): boolean {
  if (toks.kind[i] !== Tok.Punct || toks.end[i] - toks.start[i] !== 1 || i + 1 >= toks.count) return false;
  const c = text.charCodeAt(toks.start[i]);
  return (c === 45 || c === 43) && toks.kind[i + 1] === Tok.Number && toks.end[i] === toks.start[i + 1];
}

/** Index of the first token at or after an offset. */
export function tokenAt(toks: Tokens, offset: number): number {
  let lo = 0;
  let hi = toks.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks.start[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How far past a token's end the lexer may read to find that end. */
const LOOKAHEAD = 3;

function isStringPrefix(text: string, i: number, j: number): boolean {
  const p = text.slice(i, j);
  return p === 'L' || p === 'u' || p === 'U' || p === 'u8';
}

/** End of a string or character literal opened at i; an unterminated one ends at the line end. */
function stringEnd(text: string, i: number, quote: number): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 92) {
      j += 2;
      continue;
    }
    if (c === quote) return j + 1;
    if (c === 10) return j;
    j++;
  }
  return n;
}
