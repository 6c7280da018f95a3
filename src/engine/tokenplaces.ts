/**
 * The tokens of one range of a variant text, as places: which token starts or ends at a line and
 * column (the extractor's positions: 1-based, UTF-16 columns), and where a token is. Code that only
 * moved keeps its tokens, so a position tied to a token of the earlier text moves to that token in
 * the new one (`movedanalysis.ts`, `moveddetail.ts`).
 */
import { gluedSign, tokenize, type Tokens } from './lexer.js';
import { lineOf, lineStarts } from './text.js';

const lineStartCache = new WeakMap<object, number[]>();

export class TokenPlaces {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly count: number;
  private readonly tokens: Tokens;
  private readonly lines: number[];
  private starts: Map<number, number> | undefined;
  private ends: Map<number, number> | undefined;

  /**
   * The tokens of `text` in [from, to). `owner` holds the text (its file's bytes): the text's line
   * starts are kept by it, for every variant (they all keep the file's line breaks).
   */
  constructor(
    readonly text: string,
    owner: object,
    readonly from: number,
    readonly to: number,
  ) {
    let lines = lineStartCache.get(owner);
    if (!lines) lineStartCache.set(owner, (lines = lineStarts(text)));
    this.lines = lines;
    const t = tokenize(text, { at: from, lineStart: from === 0 || text.charCodeAt(from - 1) === 10 }, to);
    this.tokens = t;
    this.start = t.start;
    this.end = t.end;
    this.count = t.count;
  }

  /** A sign written against the number after it (see `gluedSign`): part of a literal to tree-sitter. */
  glued(i: number): boolean {
    return gluedSign(this.text, this.tokens, i);
  }

  /** The token's text. */
  word(i: number): string {
    return this.text.slice(this.start[i], this.end[i]);
  }

  /** The same token texts, in the same order, each sign against its number in both or in neither. */
  sameTokens(other: TokenPlaces): boolean {
    if (this.count !== other.count) return false;
    for (let i = 0; i < this.count; i++)
      if (this.word(i) !== other.word(i) || this.glued(i) !== other.glued(i)) return false;
    return true;
  }

  /** The token that starts (or, `end`, ends) at a line and column within the range, if one does. */
  indexAt(line: number, col: number, end: boolean): number | undefined {
    if (line < 1 || line > this.lines.length) return undefined;
    const off = this.lines[line - 1] + col - 1;
    if (off < this.from || off > this.to) return undefined;
    if (!this.starts || !this.ends) {
      this.starts = new Map();
      this.ends = new Map();
      for (let i = 0; i < this.count; i++) {
        this.starts.set(this.start[i], i);
        this.ends.set(this.end[i], i);
      }
    }
    return (end ? this.ends : this.starts).get(off);
  }

  /** Line and column where token `i` starts (or ends). */
  pointOf(i: number, end: boolean): [number, number] {
    const off = end ? this.end[i] : this.start[i];
    const line = lineOf(this.lines, off);
    return [line, off - this.lines[line - 1] + 1];
  }
}
