/**
 * Rewrites of C that keep its meaning and its line numbers: a driver written
 * either way must get the same findings at the same lines. Each kind finds
 * every place it fits in a file's tokens and returns the edits; the runner
 * (`eval/equivalence.ts`) applies one kind at a time to a whole driver and
 * compares the findings with the unchanged driver's.
 *
 * A rewrite never adds or removes a line end (a place whose rewritten span
 * crosses one is skipped), so a finding keeps its line.
 */

import { matchForward, type CText, type Token } from './ctext.js';

/** Replace [start, end) of the file's text with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export type Rewrite = (c: CText, tokens: readonly Token[]) => TextEdit[];

/** Tokens that end an operand at the top level of a condition (a place with one of them is left alone). */
const COMPOUND = new Set(['&&', '||', '?', '=', ',', '<', '>', '<=', '>=', '&', '|', '^', '==', '!=']);

/** Does the text of [from, to) hold a line end? */
const crossesLine = (c: CText, from: number, to: number) => /[\r\n]/.test(c.text.slice(from, to));

/** `if (` at token k: the index of its `)`, or -1. */
function ifCondition(tokens: readonly Token[], k: number): number {
  if (tokens[k].text !== 'if' || tokens[k + 1]?.text !== '(') return -1;
  return matchForward(tokens, k + 1);
}

/** The top-level tokens of [from, to) that `pick` accepts, or undefined where another compound token is there. */
function topLevel(
  tokens: readonly Token[],
  from: number,
  to: number,
  pick: (t: string) => boolean,
): number[] | undefined {
  const found: number[] = [];
  let depth = 0;
  for (let j = from; j < to; j++) {
    const x = tokens[j].text;
    if (x === '(' || x === '[') depth++;
    else if (x === ')' || x === ']') depth--;
    else if (depth === 0 && pick(x)) found.push(j);
    else if (depth === 0 && COMPOUND.has(x)) return undefined;
  }
  return found;
}

/** `if (A == B)` → `if (B == A)`, for a condition that is one comparison. */
const swapCompare: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    const close = ifCondition(t, k);
    if (close < 0) continue;
    const ops = topLevel(t, k + 2, close, (x) => x === '==' || x === '!=');
    if (ops?.length !== 1) continue;
    const op = ops[0];
    if (op === k + 2 || op === close - 1 || crossesLine(c, t[k + 2].start, t[close - 1].end)) continue;
    const a = c.text.slice(t[k + 2].start, t[op - 1].end);
    const b = c.text.slice(t[op + 1].start, t[close - 1].end);
    edits.push({ start: t[k + 2].start, end: t[close - 1].end, text: `${b} ${t[op].text} ${a}` });
  }
  return edits;
};

/** `if (A == NULL)` → `if (!(A))`; `if (A != NULL)` → `if ((A))`. */
const nullTest: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    const close = ifCondition(t, k);
    if (close < k + 5 || t[close - 1].text !== 'NULL') continue;
    const op = close - 2;
    if (t[op].text !== '==' && t[op].text !== '!=') continue;
    if (topLevel(t, k + 2, op, () => false) === undefined) continue;
    if (crossesLine(c, t[k + 2].start, t[close - 1].end)) continue;
    const a = c.text.slice(t[k + 2].start, t[op - 1].end);
    edits.push({ start: t[k + 2].start, end: t[close - 1].end, text: t[op].text === '==' ? `!(${a})` : `(${a})` });
  }
  return edits;
};

/** `goto L;` → `{ goto L; }`. */
const braceGoto: Rewrite = (_c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 1; k + 2 < t.length; k++) {
    if (t[k].text !== 'goto' || t[k + 1].kind !== 'id' || t[k + 2].text !== ';') continue;
    edits.push({ start: t[k].start, end: t[k + 2].end, text: `{ goto ${t[k + 1].text}; }` });
  }
  return edits;
};

/**
 * The end token of the statement an `if` controls when it is a block, or a `goto`, `return` or
 * `break` statement; -1 otherwise, or when an `else` follows it.
 */
function controlledEnd(t: readonly Token[], close: number, jumps: boolean): number {
  const body = t[close + 1] as Token | undefined;
  let last = -1;
  if (body?.text === '{') last = matchForward(t, close + 1);
  else if (jumps && body && ['goto', 'return', 'break'].includes(body.text)) {
    last = close + 1;
    while (last < t.length && !['{', '}', ';'].includes(t[last].text)) last++;
    if (t[last]?.text !== ';') last = -1;
  }
  if (last < 0 || t[last + 1]?.text === 'else') return -1;
  return last;
}

/**
 * Each `if` that controls a block or a jump with no `else` after it (and no `else` before it), its
 * condition on one line: the `if` token, its `)` and the statement's last token.
 */
function controlledIfs(c: CText, t: readonly Token[]): { k: number; close: number; last: number }[] {
  const out: { k: number; close: number; last: number }[] = [];
  for (let k = 0; k < t.length; k++) {
    if (t[k - 1]?.text === 'else') continue;
    const close = ifCondition(t, k);
    if (close < 0 || crossesLine(c, t[k].start, t[close].end)) continue;
    const last = controlledEnd(t, close, true);
    if (last >= 0) out.push({ k, close, last });
  }
  return out;
}

/** `if (C) S` → `if (!(C)) ; else S`. */
const invertIf: Rewrite = (c, t) =>
  controlledIfs(c, t).map(({ k, close }) => ({
    start: t[k].start,
    end: t[close].end,
    text: `if (!(${c.text.slice(t[k + 2].start, t[close - 1].end)})) ; else`,
  }));

/**
 * `if (C) S` → `{ BOOLEAN nr_tN = !!(C); if (nr_tN) S }`: the test stored in a flag, then the flag
 * tested. `!!` keeps C's truth whatever its type; a name of its own per place, so one function's two
 * stores are two flags.
 */
const storedTest: Rewrite = (c, t) =>
  controlledIfs(c, t).flatMap(({ k, close, last }, n) => {
    const flag = `nr_t${String(n)}`;
    const cond = c.text.slice(t[k + 2].start, t[close - 1].end);
    return [
      { start: t[k].start, end: t[close].end, text: `{ BOOLEAN ${flag} = !!(${cond}); if (${flag})` },
      { start: t[last].end, end: t[last].end, text: ' }' },
    ];
  });

export const REWRITES: Readonly<Record<string, Rewrite>> = {
  'swap-compare': swapCompare,
  'null-test': nullTest,
  'brace-goto': braceGoto,
  'invert-if': invertIf,
  'stored-test': storedTest,
};

/** The text with the edits applied (from the end, so earlier offsets stay valid; they never overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}
