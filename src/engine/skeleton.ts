/**
 * Where a file's function bodies are, from its tokens alone, so the file-level
 * parse can leave them out. What the program needs from a file (its functions'
 * names and places, declarations, table initializers) is all outside the
 * bodies, and the bodies are more than half of a driver's bytes: tree-sitter
 * reads only what its included ranges hold, so a parse of the rest costs about
 * a third of a whole one. What linking needs from a body comes from its tokens
 * (lexscan.ts), and a body a rule reads is parsed on its own then (its syntax
 * damage and its nesting are learned there: see parse.ts `leftOutDetail`).
 */
import { Tok, type Tokens } from './lexer.js';
import { startsLine } from './text.js';

const LBRACE = 123;
const RBRACE = 125;
const RPAREN = 41;
const SEMI = 59;
const EQ = 61;

/**
 * The interiors `[after '{', at '}')` of the file-scope bodies that follow a
 * `)`: function definitions (with or without annotations after the
 * parameters' `)`). Not an initializer, a `struct`/`union`/`enum` body or a
 * compound literal (an `=` or one of those keywords since the item began).
 * `extern "C" {` is open: the bodies inside it count as at file scope.
 * Undefined when the braces do not balance (a `}` with nothing open, or a
 * body open at the end): the whole file is parsed then, as written.
 */
export function functionBodies(text: string, toks: Tokens): [number, number][] | undefined {
  const out: [number, number][] = [];
  // Open braces, innermost last: 1 for a block of an item (a body, an initializer), 0 for `extern "C" {`.
  const open: number[] = [];
  let depth = 0;
  // Whether each brace open inside the current item started its line.
  const atLineStart: boolean[] = [];
  let bodyOpen = -1;
  let sawEqOrAggregate = false;
  let prev = -1;
  let prev2 = -1;
  for (let i = 0; i < toks.count; i++) {
    const kind = toks.kind[i];
    if (kind === Tok.Directive) continue;
    const s = toks.start[i];
    const single = toks.end[i] - s === 1 ? text.charCodeAt(s) : -1;
    if (depth === 0) {
      if (single === LBRACE) {
        if (prev >= 0 && toks.kind[prev] === Tok.String && prev2 >= 0 && wordIs(text, toks, prev2, 'extern')) {
          open.push(0);
        } else {
          open.push(1);
          depth = 1;
          if (prev >= 0 && isChar(text, toks, prev, RPAREN) && !sawEqOrAggregate) bodyOpen = toks.end[i];
        }
      } else if (single === RBRACE) {
        // Only an `extern "C" {` can close at file scope.
        if (open.pop() !== 0) return undefined;
        sawEqOrAggregate = false;
      } else if (single === SEMI) {
        sawEqOrAggregate = false;
      } else if (single === EQ) {
        sawEqOrAggregate = true;
      } else if (
        kind === Tok.Ident &&
        (wordIs(text, toks, i, 'struct') || wordIs(text, toks, i, 'union') || wordIs(text, toks, i, 'enum'))
      ) {
        sawEqOrAggregate = true;
      }
      prev2 = prev;
      prev = i;
      continue;
    }
    if (single === LBRACE) {
      depth++;
      atLineStart.push(startsLine(text, s));
    } else if (single === RBRACE && --depth > 0) {
      // A line that starts with `}` ends a function, or a block whose `{` also starts a line (a block
      // in an `#if` of a body): one that closes an indented `{` means braces an `#if` or a half-written
      // statement unbalanced (the whole parse cuts a damaged region there), so the file is parsed whole.
      if (atLineStart.pop() === false && bodyOpen >= 0 && startsLine(text, s)) return undefined;
    } else if (single === RBRACE) {
      open.pop();
      if (bodyOpen >= 0) out.push([bodyOpen, s]);
      bodyOpen = -1;
      sawEqOrAggregate = false;
      prev2 = -1;
      prev = i;
    }
  }
  return depth === 0 && open.length === 0 ? out : undefined;
}

function isChar(text: string, toks: Tokens, i: number, c: number): boolean {
  return toks.end[i] - toks.start[i] === 1 && text.charCodeAt(toks.start[i]) === c;
}

function wordIs(text: string, toks: Tokens, i: number, w: string): boolean {
  return toks.end[i] - toks.start[i] === w.length && text.startsWith(w, toks.start[i]);
}
