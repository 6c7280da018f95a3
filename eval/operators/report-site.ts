/**
 * Where `ndis/unmap-on-failure` must be reported for a leak through a failure
 * exit: at a `goto` or `return` exit itself; for a `break` out of
 * `do { ... } while (FALSE)`, at the first `goto` or `return` after the loop
 * (the rule's "first goto or return after which initialize can only fail").
 * Any other `break` (out of a switch or a real loop) is not decided here.
 */

import { type Token, lineOf, matchBackward, matchForward } from '../ctext.js';
import type { FailureExit, Place } from '../labels.js';
import type { OperatorContext } from './context.js';
import { keywordsOnLine } from './statements.js';

const FALSE_WORDS = new Set(['FALSE', 'false', '0']);

export function reportSite(ctx: OperatorContext, exit: FailureExit): Place | undefined {
  if (exit.kind === 'goto' || exit.kind === 'return') return { file: exit.file, line: exit.line };
  if (exit.kind !== 'break') return undefined;
  const c = ctx.c(exit.file);
  const holder = ctx.enclosing(exit);
  if (!c || !holder) return undefined;
  const tokens = ctx.tokens(exit.file);
  const breaks = keywordsOnLine(c, tokens, 'break', exit.line);
  if (breaks.length !== 1) return undefined;
  const loopEnd = doWhileFalseEnd(tokens, breaks[0]);
  if (loopEnd === undefined) return undefined;
  for (let k = loopEnd + 1; k < tokens.length && tokens[k].start < holder.close; k++) {
    if (tokens[k].text === 'return' || tokens[k].text === 'goto')
      return { file: exit.file, line: lineOf(c, tokens[k].start) };
  }
  return undefined;
}

/** The `;` ending the `do { } while (FALSE);` that a `break` at token `k` leaves, or undefined for any other construct. */
function doWhileFalseEnd(tokens: readonly Token[], k: number): number | undefined {
  let depth = 0;
  for (let i = k - 1; i >= 0; i--) {
    const t = tokens[i].text;
    if (t === '}') depth++;
    else if (t === '{') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const before = tokens[i - 1] as Token | undefined;
      if (before?.text === 'do') return afterDoWhile(tokens, i);
      if (before?.text === ')') {
        const open = matchBackward(tokens, i - 1);
        const word = tokens[open - 1]?.text;
        if (word === 'while' || word === 'for' || word === 'switch') return undefined;
      }
      // An `if`/`else` block or a bare block: the break leaves something further out.
    }
  }
  return undefined;
}

function afterDoWhile(tokens: readonly Token[], open: number): number | undefined {
  const close = matchForward(tokens, open);
  if (close < 0 || tokens[close + 1]?.text !== 'while' || tokens[close + 2]?.text !== '(') return undefined;
  const condEnd = matchForward(tokens, close + 2);
  const condition = tokens.slice(close + 3, condEnd).map((t) => t.text);
  if (condition.length !== 1 || !FALSE_WORDS.has(condition[0])) return undefined;
  return tokens[condEnd + 1]?.text === ';' ? condEnd + 1 : undefined;
}
