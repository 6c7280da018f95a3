/**
 * The opener operator: the pack's "close in the function that opened it" duty (`inOpener`,
 * `ndis/open-configuration`) under mutation.
 *
 * - "pair-drop-close": the one release of a handle in the function that acquired it is deleted;
 *   the rule must then report the function's exit after it.
 *
 * Which exit reports is read from the text only where the text can tell: the function acquires the
 * handle once, into a local variable it declares, and releases it once; no exit lies between the
 * acquire's own failure exits and the release (a path that left there would already leak, or be
 * reported otherwise; a loop without one cannot pass the release by); after the release the
 * function has one `return` (reported there) or none (reported at the acquire: the function falls
 * off its end). The handle must not leave the
 * function (the rule does not check a handle stored elsewhere or handed out). Anything else is
 * excluded by a stated rule, never by what the tool says.
 */

import { type Token, lineOf } from '../ctext.js';
import { deletingStatement, type OperatorOutput } from '../mutant.js';
import { ENGINE_SOURCE } from '../tokens.js';
import { type OperatorContext, placeKey } from './context.js';
import { type PairResource, packResources } from './pack.js';
import { apiCalls, bodyRange, EXITS, labelledAt, LABELLED_EXIT, macrosMentioning, ownExitsAfter } from './pairing.js';
import { callArguments, soleCallStatement } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const PAIR_DROP_CLOSE = 'pair-drop-close';

/** The variable `&V` names, or undefined for any other handle expression. */
function addressedVariable(tokens: readonly Token[], from: number, to: number): string | undefined {
  return to - from === 2 && tokens[from].text === '&' && tokens[from + 1].kind === 'id'
    ? tokens[from + 1].text
    : undefined;
}

/** Is `name` declared in the body before token `before` (`TYPE name;`, `TYPE name = ...`, `TYPE a, name`)? */
function declaredLocal(tokens: readonly Token[], open: number, before: number, name: string): boolean {
  for (let k = open + 1; k < before; k++) {
    if (tokens[k].kind !== 'id' || tokens[k].text !== name) continue;
    const prev = tokens[k - 1];
    const next = tokens[k + 1]?.text;
    if ((prev.kind === 'id' || prev.text === ',') && (next === ';' || next === '=' || next === ',')) return true;
  }
  return false;
}

/** Does the handle leave the function: assigned to something (`X = V;`) or passed by address again? */
function escapes(tokens: readonly Token[], from: number, to: number, name: string, acquire: number): boolean {
  for (let k = from + 1; k < to; k++) {
    if (tokens[k].text !== name || k === acquire) continue;
    if (tokens[k - 1]?.text === '=' && tokens[k + 1]?.text === ';') return true;
    if (tokens[k - 1]?.text === '&') return true;
  }
  return false;
}

export function pairDropClose(
  ctx: OperatorContext,
  resources: readonly PairResource[] = packResources(),
): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const mentions = ctx.graph().mentions;
  for (const resource of resources) {
    const rule = resource.inOpenerRule;
    if (rule === undefined || resource.acquireHandleArg < 0) continue;
    const acquires = apiCalls(ctx, resource.acquire, resource.acquireHandleArg);
    const releases = apiCalls(ctx, resource.release, resource.releaseHandleArg);
    const releaseMacros = macrosMentioning(ctx, resource.release);
    const acquireMacros = macrosMentioning(ctx, resource.acquire);
    for (const release of releases) {
      const holder = release.holder;
      if (!holder) continue;
      const exclude = (why: string, detail: string): void => {
        out.excluded.push(ctx.exclusion(PAIR_DROP_CLOSE, why, release, detail));
      };
      const own = acquires.filter((a) => a.holder === holder);
      if (own.length === 0) continue; // Closed in a function that did not open it: not this duty.
      if (!ENGINE_SOURCE.test(release.file)) {
        exclude('the function is in a C++ file (the engine reads C only)', '');
        continue;
      }
      if (own.length > 1 || releases.filter((r) => r.holder === holder).length > 1) {
        exclude('the function acquires or releases the handle more than once', holder.name);
        continue;
      }
      const used = mentions.get(holder.name) ?? new Set<string>();
      const macro = [...releaseMacros, ...acquireMacros].find((m) => used.has(m));
      if (macro !== undefined) {
        exclude('a macro in the function acquires or releases the resource', macro);
        continue;
      }
      const c = defined(ctx.c(release.file));
      const tokens = ctx.tokens(release.file);
      const sole = soleCallStatement(c, tokens, resource.release, release.line);
      if ('why' in sole) {
        exclude(sole.why, resource.release);
        continue;
      }
      const { statement } = sole;
      const { open, close } = bodyRange(tokens, holder);
      const acquireAt = tokens.findIndex((t) => t.start === own[0].start);
      const releaseAt = sole.call;
      if (open < 0 || close < 0 || acquireAt < open || releaseAt < acquireAt) {
        exclude('the release is not after the acquire in the body', '');
        continue;
      }
      const arg = callArguments(tokens, acquireAt + 1)[resource.acquireHandleArg] as
        { from: number; to: number } | undefined;
      const handle = arg ? addressedVariable(tokens, arg.from, arg.to) : undefined;
      if (handle === undefined || !declaredLocal(tokens, open, acquireAt, handle)) {
        exclude('the handle is not a local variable of the function', '');
        continue;
      }
      if (escapes(tokens, open, close, handle, defined(arg).from + 1)) {
        exclude('the handle leaves the function', handle);
        continue;
      }
      const acquireExits = ownExitsAfter(tokens, open, close, acquireAt);
      const between = tokens
        .slice(acquireAt + 1, releaseAt)
        .findIndex((t, i) => t.kind === 'id' && EXITS.has(t.text) && !acquireExits.has(acquireAt + 1 + i));
      if (between >= 0) {
        exclude('an exit between the acquire and the release', tokens[acquireAt + 1 + between].text);
        continue;
      }
      const after = tokens.slice(releaseAt + 1, close).filter((t) => t.kind === 'id' && EXITS.has(t.text));
      if (after.length > 1 || after.some((t) => t.text !== 'return')) {
        exclude('more than one exit after the release', after.map((t) => t.text).join(','));
        continue;
      }
      const at = after.length === 1 ? after[0].start : own[0].start;
      const expected = [{ rule, file: release.file, line: lineOf(c, at) }];
      const known = labelledAt(ctx, expected[0]);
      if (known) {
        exclude(LABELLED_EXIT[known], '');
        continue;
      }
      out.mutants.push({
        id: `${PAIR_DROP_CLOSE}@${placeKey(release)}`,
        operator: PAIR_DROP_CLOSE,
        file: release.file,
        line: release.line,
        description: `${resource.release} deleted from ${holder.name}, which opened the handle`,
        edits: [deletingStatement(release.file, c.text, statement)],
        expected,
        rules: [rule],
      });
    }
  }
  return out;
}
