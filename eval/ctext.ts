/**
 * C source text as the evaluation reads it, without the engine: comments and
 * literals masked, preprocessor lines marked, tokens with their offsets. The
 * evaluation checks the engine, so it must not reuse the engine's lexer.
 *
 * Every function keeps offsets: the masked text has the same length as the
 * original and the same line ends, so an offset found in one is valid in the
 * other and edits made at those offsets keep every other byte.
 */

export interface CText {
  /** The file as read (latin1, so one char is one byte and writing it back is exact). */
  readonly text: string;
  /** `text` with comments, string and character literals replaced by spaces (line ends kept). */
  readonly masked: string;
  /** Offset where each line starts; line N (1-based) starts at `lineStarts[N - 1]`. */
  readonly lineStarts: readonly number[];
  /** For each line (0-based index), whether it belongs to a preprocessor directive (continuations included). */
  readonly directive: readonly boolean[];
  /** For each line (0-based index), whether it starts inside a block comment. */
  readonly openComment: readonly boolean[];
}

export type TokenKind = 'id' | 'num' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

/** A lone CR ends a line too, as it does for the engine; CRLF is one line end. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function isLineEnd(c: string): boolean {
  return c === '\n' || c === '\r';
}

/**
 * Blanks comments and literal bodies; quotes stay so a masked literal still reads as one token boundary.
 * `comments` receives each block comment's [start, end).
 */
function mask(text: string, comments: [number, number][] = []): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (!isLineEnd(out[k])) out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      // A backslash at the end of a line comment continues it, as translation phase 2 says.
      let j = i + 2;
      while (j < text.length) {
        if (isLineEnd(text[j])) {
          if (text[j - 1] === '\\') {
            j += text[j] === '\r' && text[j + 1] === '\n' ? 2 : 1;
            continue;
          }
          break;
        }
        j++;
      }
      blank(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const j = close < 0 ? text.length : close + 2;
      comments.push([i, j]);
      blank(i, j);
      i = j;
    } else if (c === '"' || c === "'") {
      // A literal never spans a line end: an apostrophe in `#error don't` must not swallow the file.
      let j = i + 1;
      while (j < text.length && text[j] !== c && !isLineEnd(text[j])) j += text[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, text.length));
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** A line is a directive when its first non-blank masked character is `#`; a trailing backslash continues it. */
function directiveLines(text: string, masked: string, lineStarts: number[]): boolean[] {
  const result: boolean[] = [];
  let continuing = false;
  for (let n = 0; n < lineStarts.length; n++) {
    const start = lineStarts[n];
    const end = n + 1 < lineStarts.length ? lineStarts[n + 1] : text.length;
    const line = masked.slice(start, end).replace(/[\r\n]+$/, '');
    const isDirective: boolean = continuing || /^\s*#/.test(line);
    result.push(isDirective);
    continuing = isDirective && /\\\s*$/.test(text.slice(start, end).replace(/[\r\n]+$/, ''));
  }
  return result;
}

export function readC(text: string): CText {
  const comments: [number, number][] = [];
  const masked = mask(text, comments);
  const lineStarts = lineStartsOf(text);
  const openComment = lineStarts.map(() => false);
  let line = 0;
  for (const [start, end] of comments) {
    while (line < lineStarts.length && lineStarts[line] <= start) line++;
    for (let n = line; n < lineStarts.length && lineStarts[n] < end; n++) openComment[n] = true;
  }
  return { text, masked, lineStarts, directive: directiveLines(text, masked, lineStarts), openComment };
}

/** 1-based line of an offset. */
export function lineOf(c: CText, offset: number): number {
  let lo = 0;
  let hi = c.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Offsets [start, end) of a 1-based line, without its line end; undefined past the end of the file. */
export function lineSpan(c: CText, line: number): { start: number; end: number } | undefined {
  if (line < 1 || line > c.lineStarts.length) return undefined;
  const start = c.lineStarts[line - 1];
  let end = line < c.lineStarts.length ? c.lineStarts[line] : c.text.length;
  while (end > start && isLineEnd(c.text[end - 1])) end--;
  return { start, end };
}

export function isDirectiveAt(c: CText, offset: number): boolean {
  return c.directive[lineOf(c, offset) - 1];
}

const PUNCT3 = ['<<=', '>>=', '...'];
const PUNCT2 = [
  '->',
  '++',
  '--',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '##',
];

/** Tokens of the masked text from `from` to `to`; masked literals read as their quotes only. */
export function tokenize(masked: string, from = 0, to = masked.length): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = masked[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    let kind: TokenKind;
    if (/[A-Za-z_$]/.test(c)) {
      while (j < to && /[\w$]/.test(masked[j])) j++;
      kind = 'id';
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(masked[i + 1] ?? ''))) {
      // A preprocessing number: 0x1F, 10UL, 1e+5 are one token, never an identifier.
      while (j < to && (/[\w.]/.test(masked[j]) || (/[+-]/.test(masked[j]) && /[eEpP]/.test(masked[j - 1])))) j++;
      kind = 'num';
    } else {
      const three = masked.slice(i, i + 3);
      const two = masked.slice(i, i + 2);
      if (PUNCT3.includes(three)) j = i + 3;
      else if (PUNCT2.includes(two)) j = i + 2;
      kind = 'punct';
    }
    tokens.push({ kind, text: masked.slice(i, j), start: i, end: j });
    i = j;
  }
  return tokens;
}

/** The tokens of the code outside preprocessor directives. */
export function codeTokens(c: CText, from = 0, to = c.masked.length): Token[] {
  return tokenize(c.masked, from, to).filter((t) => !isDirectiveAt(c, t.start));
}

/** Index of the token closing the bracket opened at `open` (`(`, `[`, `{`), or -1. */
export function matchForward(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const opener = tokens[open].text;
  const closer = pairs[opener];
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k].text === opener) depth++;
    else if (tokens[k].text === closer && --depth === 0) return k;
  }
  return -1;
}

/** Index of the token opening the bracket closed at `close`, or -1. */
export function matchBackward(tokens: readonly Token[], close: number): number {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const closer = tokens[close].text;
  const opener = pairs[closer];
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    if (tokens[k].text === closer) depth++;
    else if (tokens[k].text === opener && --depth === 0) return k;
  }
  return -1;
}
