/**
 * The lock operator: `ndis/spinlock-balance` under mutation.
 *
 * - "pair-drop-lock-release": the release of a spin lock in a labelled callback that takes it and
 *   releases it once is deleted; the rule must then report the callback's exit after it
 *   (`heldAtReturn`: at its one `return`, or at its closing brace where it falls off its end). The
 *   take and the release are the NDIS calls, or a project's pair of lock macros (`LockMacro`: the
 *   ndislwf sample's `FILTER_ACQUIRE_LOCK`/`FILTER_RELEASE_LOCK`, whose debug build calls audit
 *   helpers), the release macro's use deleted.
 *
 * The rule walks callbacks and summarises helpers into them, and leaves a path alone where it
 * cannot name a lock or follow a call; so a mutant is written only where the text tells the whole
 * story: the callback makes exactly two lock calls (this take and this release, of one lock named
 * the same way, by a member path with no array index), is called by no other function (a failing
 * initialize that calls halt), calls no function or macro that may reach this lock (one whose
 * over-approximating mention graph reaches the lock's member name, or that is handed it: a helper
 * that only takes a lock of its own, an audited allocator, may stand beside the mutant), and
 * nothing through a pointer, itself or in such a helper it may reach; no exit lies between the take
 * and the release, they are in one block, in no loop or `switch`, and after the release the callback
 * has one `return` or none. Anything else is excluded by a stated rule, never by what the tool says.
 */

import { type MacroDef, reach } from '../cfuncs.js';
import { type Token, lineOf, matchBackward, matchForward } from '../ctext.js';
import type { CallbackRef, FunctionRef } from '../labels.js';
import { deletingStatement, type OperatorOutput } from '../mutant.js';
import { ENGINE_SOURCE } from '../tokens.js';
import { type OperatorContext, placeKey } from './context.js';
import { bodyRange, EXITS, handleKey, LABELLED_EXIT, labelledAt } from './pairing.js';
import { callArguments, callStatement, crossesDirective } from './statements.js';
import { defined } from '../../src/util/defined.js';

export const LOCK_DROP_RELEASE = 'pair-drop-lock-release';
export const LOCK_RULE = 'ndis/spinlock-balance';

/** Each take and the release that pairs with it (the Dpr forms pair with each other). */
const RELEASE_OF = new Map([
  ['NdisAcquireSpinLock', 'NdisReleaseSpinLock'],
  ['NdisDprAcquireSpinLock', 'NdisDprReleaseSpinLock'],
]);
const LOCK_CALLS = new Set([...RELEASE_OF.keys(), ...RELEASE_OF.values()]);
/**
 * A project's lock macro (the ndislwf sample's `FILTER_ACQUIRE_LOCK(&f->Lock, Dispatch)`): one of its
 * definitions calls only takes (or only releases) of the lock it is handed as its first argument,
 * in one form or the choice of either; its other definitions (other `#if` branches: an audited
 * debug build) may do anything, which the rule must then read per build.
 */
interface LockMacro {
  acquire: boolean;
  /** The lock calls of that definition, the takes written as their releases (so a take macro and a release macro pair by equal sets). */
  forms: string;
}

/** `NAME(p)` or `NAME((p))` at `i` in a replacement list: the call of a lock API on the macro's parameter `p`. */
function callsOnParameter(body: readonly string[], i: number, p: string): boolean {
  if (body[i + 1] !== '(') return false;
  const rest = body.slice(i + 2, i + 6).join(' ');
  return rest.startsWith(`${p} )`) || rest.startsWith(`( ${p} ) )`);
}

/** The driver's lock macros by name (a name whose definitions disagree on take or release is none). */
function lockMacros(macros: readonly MacroDef[]): Map<string, LockMacro> {
  const out = new Map<string, LockMacro | null>();
  for (const m of macros) {
    const first = m.params?.[0];
    if (first === undefined) continue;
    const apis = m.body.map((t, i) => ({ t, i })).filter(({ t, i }) => LOCK_CALLS.has(t) && m.body[i + 1] === '(');
    if (apis.length === 0 || !apis.every(({ i }) => callsOnParameter(m.body, i, first))) continue;
    const takes = apis.filter(({ t }) => RELEASE_OF.has(t));
    if (takes.length !== 0 && takes.length !== apis.length) continue;
    const shape: LockMacro = {
      acquire: takes.length > 0,
      forms: [...new Set(apis.map(({ t }) => RELEASE_OF.get(t) ?? t))].sort().join(','),
    };
    const known = out.get(m.name);
    if (known === undefined) out.set(m.name, shape);
    else if (known && (known.acquire !== shape.acquire || known.forms !== shape.forms)) out.set(m.name, null);
  }
  return new Map([...out].filter((e): e is [string, LockMacro] => e[1] !== null));
}

/** Words before a block's `{` (or its condition) that may run it again or jump into it. */
const REPEATING = new Set(['for', 'while', 'do', 'switch']);

/** The `{` indexes of the blocks enclosing token `k` inside a body whose `{` is at `open`, innermost last. */
function enclosingBlocks(tokens: readonly Token[], open: number, k: number): number[] {
  const stack: number[] = [];
  for (let i = open + 1; i < k; i++) {
    if (tokens[i].text === '{') stack.push(i);
    else if (tokens[i].text === '}') stack.pop();
  }
  return stack;
}

/**
 * Is the code that starts at token `at` (a block's `{`, or an unbraced statement's first token) the
 * body of a loop or a `switch` (`for (...) {`, `do Take(&L);`)?
 */
function repeated(tokens: readonly Token[], at: number): boolean {
  if (at <= 0) return false;
  const before = tokens[at - 1].text;
  if (before === 'do') return true;
  if (before !== ')') return false;
  const start = matchBackward(tokens, at - 1);
  return start > 0 && REPEATING.has(tokens[start - 1].text);
}

/** The member a lock's text names last (`SendLock` of `&Adapter->SendLock`). */
function lockMember(lock: string): string | undefined {
  return /([A-Za-z_]\w*)[\s)]*$/.exec(lock)?.[1];
}

/** A call through a field (`p->Fn(...)`, `s.Fn(...)`) or a pointer (`(*Fn)(...)`) in these tokens. */
function callsThroughPointer(body: readonly Token[]): boolean {
  return body.some(
    (t, i) =>
      t.text === '(' &&
      i > 0 &&
      ((body[i - 2]?.text === '->' || body[i - 2]?.text === '.') && body[i - 1].kind === 'id'
        ? true
        : body[i - 1].text === ')' && body[i - 2]?.kind === 'id' && body[i - 3]?.text === '*'),
  );
}

export function lockDropRelease(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const graph = ctx.graph();
  /** Names (functions, macros) whose bodies may reach a lock call by any mention: the mention graph read backwards. */
  const mentionedBy = new Map<string, Set<string>>();
  for (const [from, tos] of graph.mentions)
    for (const to of tos) {
      let set = mentionedBy.get(to);
      if (!set) mentionedBy.set(to, (set = new Set<string>()));
      set.add(from);
    }
  const lockers = reach(mentionedBy, LOCK_CALLS);
  for (const api of LOCK_CALLS) lockers.delete(api);
  const macros = lockMacros(graph.macros);
  const pointerCallers = new Map<string, boolean>();
  /** Does a definition of this function call through a pointer? */
  const throughPointerIn = (name: string): boolean => {
    let known = pointerCallers.get(name);
    if (known === undefined) {
      known = graph.defs
        .filter((d) => d.name === name)
        .some((d) => {
          const tokens = ctx.tokens(d.file);
          const { open, close } = bodyRange(tokens, d);
          return callsThroughPointer(tokens.slice(open + 1, close));
        });
      pointerCallers.set(name, known);
    }
    return known;
  };
  const callbacks: (CallbackRef | FunctionRef)[] = [...ctx.label.initialize, ...ctx.label.halt, ...ctx.label.callbacks];
  const seen = new Set<string>();
  for (const callback of callbacks) {
    if (seen.has(placeKey(callback))) continue;
    seen.add(placeKey(callback));
    const def = ctx.definition(callback);
    if (!def) continue;
    const c = defined(ctx.c(def.file));
    const tokens = ctx.tokens(def.file);
    const { open, close } = bodyRange(tokens, def);
    if (open < 0 || close < 0) continue;
    const body = tokens.slice(open + 1, close);
    const lockCalls = body
      .map((t, i) => ({ t, k: open + 1 + i }))
      .filter(
        ({ t, k }) => t.kind === 'id' && (LOCK_CALLS.has(t.text) || macros.has(t.text)) && tokens[k + 1]?.text === '(',
      );
    if (lockCalls.length === 0) continue;
    const at = { file: def.file, line: lineOf(c, tokens[lockCalls[0].k].start) };
    const exclude = (why: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(LOCK_DROP_RELEASE, why, at, detail));
    };
    if (!ENGINE_SOURCE.test(def.file)) {
      exclude('the callback is in a C++ file (the engine reads C only)', '');
      continue;
    }
    const [take, release] = lockCalls;
    const takeMacro = macros.get(take.t.text);
    const releaseMacro = macros.get(release.t.text);
    const paired =
      takeMacro || releaseMacro
        ? takeMacro?.acquire === true && releaseMacro?.acquire === false && takeMacro.forms === releaseMacro.forms
        : RELEASE_OF.get(take.t.text) === release.t.text;
    if (lockCalls.length !== 2 || !paired) {
      exclude('the callback makes other lock calls than one take and its release', def.name);
      continue;
    }
    const lockOf = (k: number): string | undefined => {
      const arg = callArguments(tokens, k + 1)[0] as { from: number; to: number } | undefined;
      if (!arg || tokens[arg.from].text !== '&') return undefined;
      const key = handleKey(tokens.slice(arg.from, arg.to));
      const text = tokens
        .slice(arg.from, arg.to)
        .map((t) => t.text)
        .join('');
      return key === undefined || key.includes('[]') ? undefined : text;
    };
    const lock = lockOf(take.k);
    if (lock === undefined || lockOf(release.k) !== lock) {
      exclude('the lock is not one member named the same way by both calls', def.name);
      continue;
    }
    const caller = [...graph.calls].find(([from, tos]) => from !== def.name && tos.has(def.name));
    if (caller) {
      exclude('another function calls the callback (its paths change too)', caller[0]);
      continue;
    }
    // A function or macro that may take or release a lock is one the mutant can stand beside only
    // where it cannot reach this lock: its lock's member name is mentioned by nothing it may reach,
    // nor handed to it (an audited allocator that takes its own lock, a statistics macro).
    const member = lockMember(lock);
    const locking = body
      .map((t, i) => ({ t, k: open + 1 + i }))
      .filter(
        ({ t, k }) =>
          t.kind === 'id' && tokens[k + 1]?.text === '(' && lockers.has(t.text) && k !== take.k && k !== release.k,
      )
      .find(({ t, k }) => {
        const handed = tokens.slice(k + 2, matchForward(tokens, k + 1)).some((x) => x.text === member);
        return member === undefined || handed || reach(graph.mentions, [t.text]).has(member);
      });
    if (locking !== undefined) {
      exclude('the callback calls a function or macro that may take or release this lock', locking.t.text);
      continue;
    }
    if (callsThroughPointer(body)) {
      exclude('the callback calls through a pointer', def.name);
      continue;
    }
    // The rule reads a helper that may reach a lock call as its summary, and a call through a pointer
    // there may be any function whose address is taken: the callback's paths are not followed.
    const helperThroughPointer = [...reach(graph.calls, [def.name])].find(
      (name) => name !== def.name && lockers.has(name) && throughPointerIn(name),
    );
    if (helperThroughPointer !== undefined) {
      exclude('a helper the callback calls that may take a lock calls through a pointer', helperThroughPointer);
      continue;
    }
    const statement = callStatement(tokens, release.k);
    const takeStatement = callStatement(tokens, take.k);
    if (
      !statement ||
      !takeStatement ||
      crossesDirective(c, statement.start, statement.end) ||
      crossesDirective(c, takeStatement.start, tokens[release.k].start)
    ) {
      exclude('a lock call is not a plain statement, or an #if lies between', def.name);
      continue;
    }
    const blocks = enclosingBlocks(tokens, open, take.k);
    const sameBlock = enclosingBlocks(tokens, open, release.k);
    const takeFirst = tokens.findIndex((t) => t.start === takeStatement.start);
    if (
      blocks.join(',') !== sameBlock.join(',') ||
      blocks.some((b) => repeated(tokens, b)) ||
      repeated(tokens, takeFirst)
    ) {
      exclude('the take and the release are not in one block outside any loop or switch', def.name);
      continue;
    }
    const between = tokens.slice(take.k + 1, release.k).find((t) => t.kind === 'id' && EXITS.has(t.text));
    if (between) {
      exclude('an exit between the take and the release', between.text);
      continue;
    }
    const after = tokens.slice(release.k + 1, close).filter((t) => t.kind === 'id' && EXITS.has(t.text));
    if (after.length > 1 || after.some((t) => t.text !== 'return')) {
      exclude('more than one exit after the release', after.map((t) => t.text).join(','));
      continue;
    }
    const reported = after.length === 1 ? after[0].start : def.close;
    const expected = [{ rule: LOCK_RULE, file: def.file, line: lineOf(c, reported) }];
    const known = labelledAt(ctx, expected[0]);
    if (known) {
      exclude(LABELLED_EXIT[known], '');
      continue;
    }
    const line = lineOf(c, tokens[release.k].start);
    out.mutants.push({
      id: `${LOCK_DROP_RELEASE}@${placeKey({ file: def.file, line })}`,
      operator: LOCK_DROP_RELEASE,
      file: def.file,
      line,
      description: `${release.t.text}(${lock}) deleted from ${def.name}`,
      edits: [deletingStatement(def.file, c.text, statement)],
      expected,
      rules: [LOCK_RULE],
    });
  }
  return out;
}
