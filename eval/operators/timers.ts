/**
 * The pack's cancel-in-role rule under mutation ("drop-timer-cancel", `ndis/cancel-timer-object`): a
 * statement that cancels or frees a timer on the way of halt or pause (the labelled callbacks and the
 * functions they call) is deleted; the rule must then report every call that sets that timer.
 *
 * The rule tells timers apart by where their handle is stored; the text can tell that only by a member
 * path (`&Adapter->WatchdogTimer` is `->WatchdogTimer`, whatever the base variable). So a mutant is
 * written only where the text tells the whole story: the cancel names its timer by a member path; no
 * other cancel or free on the way of halt or pause names the same path or a plain variable (which may
 * be any timer); every call that sets a timer names it by a member path (so the ones that set this one
 * are known); no macro names a set, cancel or free call; and when halt or pause waits (an event, a
 * sleep: the rule takes a wait for a one-shot timer running out), only the sets that are periodic by
 * their API or a literal nonzero period are expected, and without one the cancel is excluded. Anything
 * else is excluded by a stated rule, never by what the tool says.
 */

import { loadRulePack, type CancelInRoleRule } from '../../src/engine/rulepack.js';
import { reach, inIfZero } from '../cfuncs.js';
import { deletingStatement, type OperatorOutput } from '../mutant.js';
import type { FindingKey } from '../score.js';
import { type OperatorContext, placeKey } from './context.js';
import { apiCalls, labelledAt, LABELLED_SITE, macrosMentioning, type ApiCall } from './pairing.js';
import { callArguments, soleCallStatement } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const DROP_TIMER_CANCEL = 'drop-timer-cancel';

/** Whether a set call is periodic: by its API, or by a literal period (`unknown` for any other period). */
function periodic(ctx: OperatorContext, call: ApiCall, api: CancelInRoleRule['set'][number]): boolean | 'unknown' {
  if (api.periodic === true) return true;
  if (api.periodArg === undefined) return false;
  const tokens = ctx.tokens(call.file);
  const at = tokens.findIndex((t) => t.start === call.start);
  const arg = callArguments(tokens, at + 1)[api.periodArg] as { from: number; to: number } | undefined;
  // One token, a number: anything else (a macro, an expression) is a period the text cannot tell.
  const literal = arg?.to === (arg?.from ?? 0) + 1 ? tokens[arg.from] : undefined;
  if (literal?.kind !== 'num') return 'unknown';
  return !/^(?:0+|0[xX]0+)[uUlL]*$/.test(literal.text);
}

export function dropTimerCancel(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  for (const rule of loadRulePack().rules) {
    if (rule.kind !== 'cancel-in-role') continue;
    const roots = [
      ...(rule.roles.includes('halt') ? ctx.label.halt : []),
      ...ctx.label.callbacks.filter((c) => rule.roles.includes(c.role)),
    ].map((r) => r.name);
    if (roots.length === 0) continue;
    const called = reach(ctx.graph().calls, roots);
    const mentioned = reach(ctx.graph().mentions, roots);
    const cancels = rule.cancel.flatMap((api) => apiCalls(ctx, api.call, api.arg));
    const sets = rule.set.flatMap((api) => apiCalls(ctx, api.call, api.arg).map((call) => ({ call, api })));
    // A macro the driver uses that sets, cancels or frees a timer (the same for every cancel).
    const used = [...rule.set, ...rule.cancel]
      .flatMap((api) => [...macrosMentioning(ctx, api.call)])
      .find((m) => [...ctx.graph().mentions.values()].some((names) => names.has(m)));
    const waits = rule.waits.some((w) => called.has(w));
    for (const cancel of cancels) {
      if (!cancel.holder || !called.has(cancel.holder.name)) continue;
      const exclude = (why: string, detail = ''): void => {
        out.excluded.push(ctx.exclusion(DROP_TIMER_CANCEL, why, cancel, detail));
      };
      const c = defined(ctx.c(cancel.file));
      if (inIfZero(c, cancel.start)) {
        exclude('the call is in an #if 0 branch (never compiled)');
        continue;
      }
      if (cancel.key === undefined) {
        exclude('the cancel names its timer by no member path');
        continue;
      }
      const others = cancels.filter(
        (o) =>
          o !== cancel && o.holder && mentioned.has(o.holder.name) && (o.key === undefined || o.key === cancel.key),
      );
      if (others.length > 0) {
        exclude('halt or pause may cancel or free the timer by another call', placeKey(others[0]));
        continue;
      }
      if (sets.some((s) => s.call.key === undefined)) {
        exclude(
          'a call sets a timer named by no member path',
          placeKey(defined(sets.find((s) => s.call.key === undefined)).call),
        );
        continue;
      }
      if (used !== undefined) {
        exclude('a macro sets, cancels or frees a timer', used);
        continue;
      }
      const ofTimer = sets.filter((s) => s.call.key === cancel.key);
      const kinds = ofTimer.map((s) => periodic(ctx, s.call, s.api));
      if (waits && kinds.includes('unknown')) {
        exclude('halt or pause waits, and a set of the timer has a period that is no literal', cancel.key);
        continue;
      }
      const mine = ofTimer.filter((_, i) => !waits || kinds[i] === true);
      if (mine.length === 0) {
        exclude(
          waits ? 'halt or pause waits, and no periodic set of the timer' : 'the driver never sets the timer',
          cancel.key,
        );
        continue;
      }
      const sole = soleCallStatement(c, ctx.tokens(cancel.file), cancel.api, cancel.line);
      if ('why' in sole) {
        exclude(sole.why, cancel.api);
        continue;
      }
      const expected: FindingKey[] = mine.map((s) => ({ rule: rule.id, file: s.call.file, line: s.call.line }));
      const known = expected.map((e) => labelledAt(ctx, e)).find((l) => l !== undefined);
      if (known) {
        exclude(LABELLED_SITE[known]);
        continue;
      }
      out.mutants.push({
        id: `${DROP_TIMER_CANCEL}@${placeKey(cancel)}`,
        operator: DROP_TIMER_CANCEL,
        file: cancel.file,
        line: cancel.line,
        description: `${cancel.api} of ${cancel.key} deleted from ${cancel.holder.name}, on the way of ${rule.roles.join(' or ')}`,
        edits: [deletingStatement(cancel.file, c.text, sole.statement)],
        expected,
        rules: [rule.id],
      });
    }
  }
  return out;
}
