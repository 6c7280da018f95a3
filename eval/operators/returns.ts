/**
 * The pack's return-value rule under mutation ("bad-pause-status", `ndis/pause-return`): in each callback
 * the label gives the role `pause`, each `return` with a value is made to return `NDIS_STATUS_FAILURE`,
 * which pausing may never return; the rule must report that `return`. The value replaced is whatever was
 * written (a constant, a variable, a call), so the rule's reading of the path does not decide the
 * mutant: the constant does.
 *
 * Excluded by stated rules: a `return` without a value, one in an `#if 0` branch, one that only a NULL
 * test of a parameter (or a local given one) leads to (NDIS never passes NULL: the rule reads the branch
 * as dead, so the mutant is equivalent), one whose statement crosses a directive line, and one where the labels already place a finding of the rule.
 */

import { type Token, lineOf, matchBackward, matchForward } from '../ctext.js';
import { inIfZero } from '../cfuncs.js';
import { keepingLines, type OperatorOutput } from '../mutant.js';
import { type OperatorContext, placeKey } from './context.js';
import { bodyRange, labelledAt } from './pairing.js';
import { callArguments, crossesDirective } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const BAD_PAUSE_STATUS = 'bad-pause-status';
const RULE = 'ndis/pause-return';
const BAD_STATUS = 'NDIS_STATUS_FAILURE';

const LABELLED = {
  expected: 'the labels already place a finding of the rule at the return',
  debatable: 'the labels call a finding at the return debatable',
  false: 'the labels judge a finding at the return false (it is reported already)',
} as const;

/** Names of a function's parameters: the last identifier of each (`_In_ NDIS_HANDLE Context` is `Context`). */
function parameterNames(tokens: readonly Token[], nameAt: number): Set<string> {
  const names = new Set<string>();
  if (tokens[nameAt + 1]?.text !== '(') return names;
  const close = matchForward(tokens, nameAt + 1);
  for (const arg of callArguments(tokens, nameAt + 1)) {
    const ids = tokens.slice(arg.from, Math.min(arg.to, close)).filter((t) => t.kind === 'id');
    const last = ids.at(-1);
    if (last) names.add(last.text);
  }
  return names;
}

/**
 * Names NDIS never gives as NULL: the parameters, and locals given one (`A = (PADAPTER)Context`). The
 * rule reads a branch that tests one of them for NULL as dead, as NDIS documents it.
 */
function givenByNdis(tokens: readonly Token[], nameAt: number, open: number, close: number): Set<string> {
  const given = parameterNames(tokens, nameAt);
  for (let k = open + 1; k < close; k++) {
    if (tokens[k].text !== '=' || tokens[k - 1].kind !== 'id') continue;
    let v = k + 1;
    if (tokens[v]?.text === '(') {
      const end = matchForward(tokens, v);
      if (end > v && tokens.slice(v + 1, end).every((t) => t.kind === 'id' || t.text === '*')) v = end + 1;
    }
    if (tokens[v]?.kind === 'id' && given.has(tokens[v].text) && tokens[v + 1]?.text === ';')
      given.add(tokens[k - 1].text);
  }
  return given;
}

/** Is the `return` at token `k` the body of an `if` whose condition is a NULL test of one of `given`? */
function underNullTest(tokens: readonly Token[], k: number, given: ReadonlySet<string>): boolean {
  const closeParen = tokens[k - 1]?.text === '{' ? k - 2 : k - 1;
  if (tokens[closeParen]?.text !== ')') return false;
  const openParen = matchBackward(tokens, closeParen);
  if (openParen <= 0 || tokens[openParen - 1].text !== 'if') return false;
  const cond = tokens
    .slice(openParen + 1, closeParen)
    .filter((t) => t.text !== '(' && t.text !== ')')
    .map((t) => t.text);
  const nullWord = (w: string | undefined) => w === 'NULL' || w === '0';
  const name =
    cond.length === 2 && cond[0] === '!'
      ? cond[1]
      : cond.length === 3 && cond[1] === '==' && nullWord(cond[2])
        ? cond[0]
        : cond.length === 3 && cond[1] === '==' && nullWord(cond[0])
          ? cond[2]
          : undefined;
  return name !== undefined && given.has(name);
}

export function badPauseStatus(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const seen = new Set<string>();
  for (const callback of ctx.label.callbacks) {
    if (callback.role !== 'pause' || seen.has(placeKey(callback))) continue;
    seen.add(placeKey(callback));
    const def = ctx.definition(callback);
    if (!def) {
      out.excluded.push(
        ctx.exclusion(BAD_PAUSE_STATUS, 'the callback definition is not found at its line', callback, callback.name),
      );
      continue;
    }
    const c = defined(ctx.c(callback.file));
    const tokens = ctx.tokens(callback.file);
    const { open, close } = bodyRange(tokens, def);
    const given = givenByNdis(
      tokens,
      tokens.findIndex((t) => t.start === def.nameStart),
      open,
      close,
    );
    for (let k = open + 1; k < close; k++) {
      if (tokens[k].kind !== 'id' || tokens[k].text !== 'return') continue;
      const place = { file: callback.file, line: lineOf(c, tokens[k].start) };
      const exclude = (why: string): void => {
        out.excluded.push(ctx.exclusion(BAD_PAUSE_STATUS, why, place, callback.name));
      };
      // The statement's `;`: the first at this nesting, past any parenthesised value.
      let end = k + 1;
      while (end < close && tokens[end].text !== ';') {
        const next = tokens[end].text === '(' ? matchForward(tokens, end) + 1 : end + 1;
        end = next > end ? next : close;
      }
      if (end >= close) {
        exclude('the return statement is not readable');
        continue;
      }
      if (end === k + 1) {
        exclude('the return has no value');
        continue;
      }
      if (inIfZero(c, tokens[k].start)) {
        exclude('the return is in an #if 0 branch (never compiled)');
        continue;
      }
      if (underNullTest(tokens, k, given)) {
        exclude('the return is taken only when NDIS passed NULL, which it never does');
        continue;
      }
      if (crossesDirective(c, tokens[k].start, tokens[end].end)) {
        exclude('the return crosses a directive line');
        continue;
      }
      const expected = { rule: RULE, file: callback.file, line: place.line };
      const known = labelledAt(ctx, expected);
      if (known) {
        exclude(LABELLED[known]);
        continue;
      }
      const from = tokens[k].end;
      const to = tokens[end].start;
      out.mutants.push({
        id: `${BAD_PAUSE_STATUS}@${placeKey(place)}`,
        operator: BAD_PAUSE_STATUS,
        file: callback.file,
        line: place.line,
        description: `${callback.name} (pause) returns ${BAD_STATUS}`,
        edits: [
          { file: callback.file, start: from, end: to, text: keepingLines(c.text.slice(from, to), ` ${BAD_STATUS}`) },
        ],
        expected: [expected],
        rules: [RULE],
      });
    }
  }
  return out;
}
