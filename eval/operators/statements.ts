/**
 * Statements around a call, read from tokens: enough to delete, wrap or
 * precede one call statement without a parser, and to say when the text is
 * not that simple (the operator then excludes the mutant by its rule).
 */

import { type CText, type Token, lineOf, matchBackward, matchForward } from '../ctext.js';

const CONTROL = new Set(['if', 'while', 'for', 'switch']);

/** Indices of the tokens `name` followed by `(` that start on `line`. */
export function callsOnLine(c: CText, tokens: readonly Token[], name: string, line: number): number[] {
  const found: number[] = [];
  tokens.forEach((t, k) => {
    if (t.kind === 'id' && t.text === name && tokens[k + 1]?.text === '(' && lineOf(c, t.start) === line) found.push(k);
  });
  return found;
}

/** Indices of the keyword tokens `word` on `line`. */
export function keywordsOnLine(c: CText, tokens: readonly Token[], word: string, line: number): number[] {
  const found: number[] = [];
  tokens.forEach((t, k) => {
    if (t.kind === 'id' && t.text === word && lineOf(c, t.start) === line) found.push(k);
  });
  return found;
}

export interface Statement {
  /** Token indices of the first and last (`;`) tokens. */
  first: number;
  last: number;
  /** Offsets [start, end) in the text. */
  start: number;
  end: number;
  /** The statement is the unbraced body of `if`/`else`/a loop: something put before it would change what they control. */
  controlled: boolean;
  /** An `else` follows: wrapping the statement in an `if` would capture it. */
  elseFollows: boolean;
}

/** Whether the token before `first` ends a previous statement or opens a block, so `first` starts a statement. */
function startsStatement(tokens: readonly Token[], first: number): { ok: boolean; controlled: boolean } {
  const before = tokens[first - 1] as Token | undefined;
  if (before === undefined) return { ok: false, controlled: false };
  if (before.text === ';' || before.text === '{' || before.text === '}') return { ok: true, controlled: false };
  if (before.text === 'else' || before.text === 'do') return { ok: true, controlled: true };
  if (before.text === ')') {
    const open = matchBackward(tokens, first - 1);
    const keyword = tokens[open - 1] as Token | undefined;
    return { ok: open > 0 && keyword !== undefined && CONTROL.has(keyword.text), controlled: true };
  }
  if (before.text === ':') {
    // A label (`Name:`) or `default:` / `case X:`; a `:` of `?:` is not a statement boundary.
    const label = tokens[first - 2] as Token | undefined;
    const beforeLabel = tokens[first - 3] as Token | undefined;
    if (label?.text === 'default') return { ok: true, controlled: false };
    if (label?.kind === 'id' && (beforeLabel === undefined || ['{', '}', ';'].includes(beforeLabel.text))) {
      return { ok: true, controlled: false };
    }
    for (let k = first - 2; k >= 0 && ![';', '{', '}', '?'].includes(tokens[k].text); k--) {
      if (tokens[k].text === 'case') return { ok: true, controlled: false };
    }
  }
  return { ok: false, controlled: false };
}

/** Back from the call over an assignment target (`x =`, `a->b[i] =`) or a cast (`(VOID)`), to where the statement starts. */
function statementStart(tokens: readonly Token[], call: number): number {
  let first = call;
  const prev = tokens[first - 1] as Token | undefined;
  if (prev?.text === ')') {
    const open = matchBackward(tokens, first - 1);
    const inner = tokens.slice(open + 1, first - 1);
    if (open > 0 && inner.length > 0 && inner.every((t) => t.kind === 'id' || t.text === '*')) {
      if (!CONTROL.has(tokens[open - 1]?.text ?? '')) first = open;
    }
  } else if (prev?.text === '=') {
    let k = first - 2;
    while (k >= 0) {
      const t = tokens[k];
      if (t.text === ']') k = matchBackward(tokens, k) - 1;
      else if (t.kind === 'id' || t.text === '->' || t.text === '.' || t.text === '*') k--;
      else break;
    }
    if (k + 1 <= first - 2) first = k + 1;
  }
  return first;
}

/** The expression statement made of the call at token `call` (with an assignment or cast around it), if it is one. */
export function callStatement(tokens: readonly Token[], call: number): Statement | undefined {
  const close = matchForward(tokens, call + 1);
  if (close < 0 || tokens[close + 1]?.text !== ';') return undefined;
  const first = statementStart(tokens, call);
  const boundary = startsStatement(tokens, first);
  if (!boundary.ok) return undefined;
  return {
    first,
    last: close + 1,
    start: tokens[first].start,
    end: tokens[close + 1].end,
    controlled: boundary.controlled,
    elseFollows: tokens[close + 2]?.text === 'else',
  };
}

/** The jump statement `goto L;` or `break;` starting at token `k`. */
export function jumpStatement(tokens: readonly Token[], k: number): Statement | undefined {
  let last = k + 1;
  if (tokens[k].text === 'goto') {
    if (tokens[k + 1]?.kind !== 'id') return undefined;
    last = k + 2;
  }
  if (tokens[last]?.text !== ';') return undefined;
  const boundary = startsStatement(tokens, k);
  if (!boundary.ok) return undefined;
  return {
    first: k,
    last,
    start: tokens[k].start,
    end: tokens[last].end,
    controlled: boundary.controlled,
    elseFollows: tokens[last + 1]?.text === 'else',
  };
}

/** Arguments of the call whose `(` is at token `open`: token index ranges [from, to), split at top-level commas. */
export function callArguments(tokens: readonly Token[], open: number): { from: number; to: number }[] {
  const close = matchForward(tokens, open);
  if (close < 0) return [];
  const args: { from: number; to: number }[] = [];
  let from = open + 1;
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k].text;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    else if (t === ',' && depth === 0) {
      args.push({ from, to: k });
      from = k + 1;
    }
  }
  if (close > open + 1) args.push({ from, to: close });
  return args;
}

/** Whether the offsets [start, end) cross a preprocessor directive line (an edit there could change what compiles). */
export function crossesDirective(c: CText, start: number, end: number): boolean {
  for (let line = lineOf(c, start); line <= lineOf(c, end); line++) if (c.directive[line - 1]) return true;
  return false;
}

/**
 * The plain statement of the one call of `api` on `line`, with the call's token; or why there is
 * none, as an exclusion rule (several such calls on the line, or a call that is not a statement of
 * its own or crosses an `#if`).
 */
export function soleCallStatement(
  c: CText,
  tokens: readonly Token[],
  api: string,
  line: number,
): { statement: Statement; call: number } | { why: string } {
  const calls = callsOnLine(c, tokens, api, line);
  const statement = calls.length === 1 ? callStatement(tokens, calls[0]) : undefined;
  if (!statement || crossesDirective(c, statement.start, statement.end))
    return { why: calls.length > 1 ? 'several such calls on the line' : 'the call is not a plain statement' };
  return { statement, call: calls[0] };
}
