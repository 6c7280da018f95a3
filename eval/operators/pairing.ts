/**
 * The pairing operators: the mapping operators' two main edits generalised
 * over every acquire/release pair of the pack (`pack.ts`).
 *
 * - "pair-drop-release": a release call that halt reaches is deleted; every
 *   acquire of that handle in initialize's reach must then get the rule's
 *   `leakInHalt` finding (at the acquire).
 * - "pair-exit-to-return": a `goto`/`break` of initialize after an acquire
 *   becomes `return NDIS_STATUS_FAILURE;`; every resource held there must get
 *   its rule's `leakOnFailure` finding at that line (the mapping included).
 *
 * The pack labels judge findings, not call sites, so these operators read
 * the facts they need from the text, with the labelled initialize and halt
 * callbacks and the generator's coarse graph (`cfuncs.ts`). A handle is
 * named by its text: the member path after the first identifier
 * (`&Adapter->Rx[i].Va` is `->Rx[].Va`), so two functions that reach one
 * field through different variables still pair. Where the text cannot tell
 * (a handle held in a variable, a macro that acquires or releases, another
 * release halt may still reach, a lock or a configuration handle open at the
 * exit), the mutant is excluded by a stated rule; never by what the tool says.
 */

import { type FunctionDef, reach } from '../cfuncs.js';
import { type Token, lineOf, matchBackward, matchForward } from '../ctext.js';
import type { FunctionRef, Place } from '../labels.js';
import type { Mutant, OperatorOutput } from '../mutant.js';
import type { FindingKey } from '../score.js';
import { ENGINE_SOURCE } from '../tokens.js';
import { FAILURE_RETURN } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { severalCallbacks } from './halt.js';
import { type PairResource, packResources } from './pack.js';
import { callArguments, crossesDirective, jumpStatement, soleCallStatement } from './statements.js';
import { deletingStatement } from '../mutant.js';
import { defined } from '../../src/util/defined.js';

export const PAIR_DROP_RELEASE = 'pair-drop-release';
export const PAIR_EXIT_TO_RETURN = 'pair-exit-to-return';

/** The spin lock acquires: an exit after one may return with the lock held (`ndis/spinlock-balance`). */
const LOCK_ACQUIRES = new Set(['NdisAcquireSpinLock', 'NdisDprAcquireSpinLock']);

/** A call of an acquire or release API, read from the text. */
export interface ApiCall extends Place {
  api: string;
  /** Offset of the call's name. */
  start: number;
  /** The handle's member path (see the file comment), or undefined when the handle is a plain variable or unreadable. */
  key: string | undefined;
  holder: FunctionDef | undefined;
}

/** The member path of a handle expression: `&(PVOID)Adapter->A[i].B` is `->A[].B`; undefined without a member. */
export function handleKey(tokens: readonly Token[]): string | undefined {
  let ts = tokens.filter((t) => t.text !== '&');
  for (;;) {
    if (ts[0]?.text !== '(') break;
    const close = matchForward(ts, 0);
    if (close === ts.length - 1) {
      ts = ts.slice(1, -1);
      continue;
    }
    const inner = ts.slice(1, close);
    if (close > 0 && inner.length > 0 && inner.every((t) => t.kind === 'id' || t.text === '*')) {
      ts = ts.slice(close + 1);
      continue;
    }
    return undefined;
  }
  if (ts[0]?.kind !== 'id') return undefined;
  let key = '';
  for (let k = 1; k < ts.length; k++) {
    const t = ts[k];
    if ((t.text === '->' || t.text === '.') && ts[k + 1]?.kind === 'id') {
      key += t.text + ts[k + 1].text;
      k++;
    } else if (t.text === '[') {
      const close = matchForward(ts, k);
      if (close < 0) return undefined;
      key += '[]';
      k = close;
    } else return undefined;
  }
  return key.includes('->') || key.includes('.') ? key : undefined;
}

/** The target of `target = call(...)` before the call at token `k`, as tokens. */
function assignedTarget(tokens: readonly Token[], k: number): Token[] {
  let first = k;
  if (tokens[first - 1]?.text === ')') {
    // A cast of the result: `x = (PVOID)Call(...)`.
    const open = matchBackward(tokens, first - 1);
    if (open > 0 && tokens.slice(open + 1, first - 1).every((t) => t.kind === 'id' || t.text === '*')) first = open;
  }
  if (tokens[first - 1]?.text !== '=') return [];
  let j = first - 2;
  while (j >= 0) {
    const t = tokens[j];
    if (t.text === ']') j = matchBackward(tokens, j) - 1;
    else if (t.kind === 'id' || t.text === '->' || t.text === '.') j--;
    else break;
  }
  return tokens.slice(j + 1, first - 1);
}

/** Every direct call of `api` in the driver's C files, with its handle's key for `handleArg` (-1: the assigned target). */
export function apiCalls(ctx: OperatorContext, api: string, handleArg: number): ApiCall[] {
  const out: ApiCall[] = [];
  for (const file of ctx.files()) {
    const c = ctx.c(file);
    if (!c?.masked.includes(api)) continue;
    const tokens = ctx.tokens(file);
    tokens.forEach((t, k) => {
      if (t.kind !== 'id' || t.text !== api || tokens[k + 1]?.text !== '(') return;
      // A prototype or a definition is not a call.
      if (tokens[k - 1]?.kind === 'id' && !['return', 'else'].includes(tokens[k - 1].text)) return;
      const line = lineOf(c, t.start);
      let handle: Token[] = [];
      if (handleArg < 0) handle = assignedTarget(tokens, k);
      else {
        const arg = callArguments(tokens, k + 1)[handleArg] as { from: number; to: number } | undefined;
        if (arg) handle = tokens.slice(arg.from, arg.to);
      }
      out.push({ api, file, line, start: t.start, key: handleKey(handle), holder: ctx.enclosing({ file, line }) });
    });
  }
  return out;
}

/** Names of macros (`#define`, no function of that name) whose replacement mentions `api`. */
export function macrosMentioning(ctx: OperatorContext, api: string): Set<string> {
  const g = ctx.graph();
  const functions = new Set(g.defs.map((d) => d.name));
  const out = new Set<string>();
  for (const [name, names] of g.mentions) if (!functions.has(name) && names.has(api)) out.add(name);
  return out;
}

function definitions(ctx: OperatorContext, refs: readonly FunctionRef[]): FunctionDef[] {
  return refs.map((r) => ctx.definition(r)).filter((d): d is FunctionDef => d !== undefined);
}

/** The names a set of callbacks reaches by plain calls (macros count as calls of what they mention). */
function callReach(ctx: OperatorContext, defs: readonly FunctionDef[]): Set<string> {
  return reach(
    ctx.graph().calls,
    defs.map((d) => d.name),
  );
}

/** The names a set of callbacks reaches by any mention (over-approximating: address taken, macros). */
function mentionReach(ctx: OperatorContext, defs: readonly FunctionDef[]): Set<string> {
  return reach(
    ctx.graph().mentions,
    defs.map((d) => d.name),
  );
}

/**
 * A finding the labels already place (expected, debatable, or judged false) at a rule and place, or
 * undefined. A finding judged false is one the tool reports there already: a mutant cannot add it.
 */
export function labelledAt(ctx: OperatorContext, f: FindingKey): 'expected' | 'debatable' | 'false' | undefined {
  const same = (e: FindingKey): boolean => e.rule === f.rule && e.file === f.file && e.line === f.line;
  if (ctx.label.expected.some(same)) return 'expected';
  if (ctx.label.debatable.some(same)) return 'debatable';
  if (ctx.label.falseAlarms.some(same)) return 'false';
  return undefined;
}

export const LABELLED_SITE = {
  expected: 'the labels say the site already leaks in halt',
  debatable: 'the labels call the site debatable',
  false: 'the labels judge a finding at the site false (it is reported already)',
} as const;

export const LABELLED_EXIT = {
  expected: 'the labels say the exit already leaks',
  debatable: 'the labels call the exit debatable',
  false: 'the labels judge a finding at the exit false (it is reported already)',
} as const;

export function pairDropRelease(
  ctx: OperatorContext,
  resources: readonly PairResource[] = packResources(),
): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const halts = definitions(ctx, ctx.label.halt);
  const inits = definitions(ctx, ctx.label.initialize);
  if (halts.length === 0 || inits.length === 0) return out;
  const haltCalls = callReach(ctx, halts);
  const haltMentions = mentionReach(ctx, halts);
  const initCalls = callReach(ctx, inits);
  const initMentions = mentionReach(ctx, inits);
  for (const resource of resources) {
    if (!resource.pairing || resource.inHaltRule === undefined) continue;
    const rule = resource.inHaltRule;
    const releases = apiCalls(ctx, resource.release, resource.releaseHandleArg);
    const acquires = apiCalls(ctx, resource.acquire, resource.acquireHandleArg);
    const releaseMacros = [...macrosMentioning(ctx, resource.release)].filter((m) => haltMentions.has(m));
    const acquireMacros = [...macrosMentioning(ctx, resource.acquire)].filter((m) => initMentions.has(m));
    for (const release of releases) {
      if (!release.holder || !haltCalls.has(release.holder.name)) continue;
      const exclude = (why: string, detail: string): void => {
        out.excluded.push(ctx.exclusion(PAIR_DROP_RELEASE, why, release, detail));
      };
      if (severalCallbacks(ctx)) {
        exclude('several initialize or halt callbacks', '');
        continue;
      }
      if (release.key === undefined) {
        exclude("the release's handle is not a member (text cannot pair it)", resource.release);
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
      if (initCalls.has(release.holder.name)) {
        exclude("initialize reaches the release's function (its failure paths change too)", release.holder.name);
        continue;
      }
      const inInit = acquires.filter((a) => a.holder !== undefined && initCalls.has(a.holder.name));
      const matching = inInit.filter((a) => a.key === release.key);
      if (matching.length === 0) {
        exclude("no acquire of the release's handle in initialize's reach", release.key);
        continue;
      }
      if (inInit.some((a) => a.key === undefined)) {
        exclude('an acquire in initialize names its handle by a variable (text cannot tell what it pairs with)', '');
        continue;
      }
      if (acquireMacros.length > 0 || releaseMacros.length > 0) {
        exclude('a macro acquires or releases the resource', [...acquireMacros, ...releaseMacros].join(','));
        continue;
      }
      if (matching.some((a) => !ENGINE_SOURCE.test(a.file))) {
        exclude('the acquire is in a C++ file (the engine reads C only)', '');
        continue;
      }
      const other = releases.find(
        (r) =>
          r !== release &&
          r.holder !== undefined &&
          haltMentions.has(r.holder.name) &&
          (r.key === undefined || r.key === release.key),
      );
      if (other) {
        exclude('halt may still reach another release of the handle', placeKey(other));
        continue;
      }
      const expected = matching.map((a) => ({ rule, file: a.file, line: a.line }));
      const known = expected.map((e) => labelledAt(ctx, e)).find((l) => l !== undefined);
      if (known) {
        exclude(LABELLED_SITE[known], '');
        continue;
      }
      const mutant: Mutant = {
        id: `${PAIR_DROP_RELEASE}@${placeKey(release)}`,
        operator: PAIR_DROP_RELEASE,
        file: release.file,
        line: release.line,
        description: `${resource.release} deleted from halt's way`,
        edits: [deletingStatement(release.file, c.text, statement)],
        expected,
      };
      out.mutants.push(mutant);
    }
  }
  return out;
}

/** Token index ranges of a function's body, in its file's tokens. */
export function bodyRange(tokens: readonly Token[], def: FunctionDef): { open: number; close: number } {
  const open = tokens.findIndex((t) => t.start === def.open);
  const close = tokens.findIndex((t) => t.start === def.close);
  return { open, close };
}

/** The index of the `{` of the innermost block holding token `k` (from `open`, the body's `{`). */
function innermostBlock(tokens: readonly Token[], open: number, k: number): number {
  const stack: number[] = [];
  for (let i = open; i < k; i++) {
    if (tokens[i].text === '{') stack.push(i);
    else if (tokens[i].text === '}') stack.pop();
  }
  return stack.at(-1) ?? open;
}

/** The success statuses a status function returns. */
const SUCCESS = new Set(['NDIS_STATUS_SUCCESS', 'STATUS_SUCCESS']);

/** Every definition of `name` in the driver returns, and returns only a success constant (`return (STATUS_SUCCESS);`). */
export function returnsOnlySuccess(ctx: OperatorContext, name: string): boolean {
  const defs = ctx.graph().defs.filter((d) => d.name === name);
  return (
    defs.length > 0 &&
    defs.every((d) => {
      const tokens = ctx.tokens(d.file);
      const { open, close } = bodyRange(tokens, d);
      if (open < 0 || close < 0) return false;
      let returns = 0;
      for (let k = open + 1; k < close; k++) {
        if (tokens[k].kind !== 'id' || tokens[k].text !== 'return') continue;
        returns++;
        const value: string[] = [];
        for (let j = k + 1; j < close && tokens[j].text !== ';'; j++)
          if (tokens[j].text !== '(' && tokens[j].text !== ')') value.push(tokens[j].text);
        if (value.length !== 1 || !SUCCESS.has(value[0])) return false;
      }
      return returns > 0;
    })
  );
}

/** Tokens `from`..`to` (exclusive) without the parentheses enclosing all of them. */
function unparenthesized(tokens: readonly Token[], from: number, to: number): { from: number; to: number } {
  while (to - from >= 2 && tokens[from].text === '(' && matchForward(tokens, from) === to - 1) {
    from++;
    to--;
  }
  return { from, to };
}

/** The function `F` of a status read as `F(...)` or `S = F(...)` (a cast on the call allowed), or its variable `S`. */
function statusSource(tokens: readonly Token[], from: number, to: number): { call?: string; variable?: string } {
  ({ from, to } = unparenthesized(tokens, from, to));
  let k = from;
  let variable: string | undefined;
  if (tokens[k]?.kind === 'id' && tokens[k + 1]?.text === '=' && k + 1 < to) {
    variable = tokens[k].text;
    k += 2;
  }
  if (tokens[k]?.text === '(') {
    // A cast of the call's result: `(NDIS_STATUS)F(...)`.
    const close = matchForward(tokens, k);
    if (close > k && tokens.slice(k + 1, close).every((t) => t.kind === 'id' || t.text === '*')) k = close + 1;
  }
  if (tokens[k]?.kind === 'id' && tokens[k + 1]?.text === '(' && matchForward(tokens, k + 1) === to - 1)
    return { call: tokens[k].text };
  if (variable === undefined && to - from === 1 && tokens[from].kind === 'id') return { variable: tokens[from].text };
  return {};
}

/**
 * The function whose status alone decides whether the exit at token `k` is taken: the exit is the
 * statement of `if (cond)`, or in the braced block of one, and `cond` is `S != SUCCESS` (either way
 * round) or `!NT_SUCCESS(S)`, where `S` is `F(...)`, `(S = F(...))`, or a variable last set by
 * `S = F(...)` in `fn`'s body (`{` at `open`) with its address taken nowhere between.
 */
export function exitStatusCall(tokens: readonly Token[], open: number, k: number): string | undefined {
  let close = k - 1;
  if (tokens[close]?.text !== ')') {
    const block = innermostBlock(tokens, open, k);
    if (block === open) return undefined;
    close = block - 1;
  }
  if (tokens[close]?.text !== ')') return undefined;
  const start = matchBackward(tokens, close);
  if (start <= open || tokens[start - 1].text !== 'if') return undefined;
  const cond = unparenthesized(tokens, start + 1, close);
  let operand: { from: number; to: number } | undefined;
  const t = (i: number): string | undefined => tokens[i]?.text;
  if (t(cond.from) === '!' && t(cond.from + 1) === 'NT_SUCCESS' && t(cond.from + 2) === '(') {
    if (matchForward(tokens, cond.from + 2) === cond.to - 1) operand = { from: cond.from + 3, to: cond.to - 1 };
  } else {
    let depth = 0;
    for (let i = cond.from; i < cond.to; i++) {
      const x = t(i);
      if (x === '(' || x === '[') depth++;
      else if (x === ')' || x === ']') depth--;
      else if (depth === 0 && x === '!=') {
        const left = unparenthesized(tokens, cond.from, i);
        const right = unparenthesized(tokens, i + 1, cond.to);
        const isSuccess = (r: { from: number; to: number }): boolean =>
          r.to - r.from === 1 && SUCCESS.has(tokens[r.from].text);
        if (isSuccess(right)) operand = left;
        else if (isSuccess(left)) operand = right;
        break;
      } else if (depth === 0 && ['&&', '||', '==', '?', '<', '>', '<=', '>='].includes(x ?? '')) return undefined;
    }
  }
  if (!operand || operand.from >= operand.to) return undefined;
  const source = statusSource(tokens, operand.from, operand.to);
  if (source.call !== undefined) return source.call;
  if (source.variable === undefined) return undefined;
  // The variable's last assignment before the `if`; `&S` between (a call may write it) leaves it unknown.
  for (let i = start - 2; i > open; i--) {
    if (tokens[i].kind !== 'id' || tokens[i].text !== source.variable) continue;
    if (t(i - 1) === '&' || t(i - 1) === '.' || t(i - 1) === '->') {
      if (t(i - 1) === '&') return undefined;
      continue;
    }
    if (t(i + 1) !== '=') continue;
    let end = i + 2;
    while (end < start && t(end) !== ';') end++;
    return statusSource(tokens, i, end).call;
  }
  return undefined;
}

/** The statements that leave a block or a function. */
export const EXITS: ReadonlySet<string> = new Set(['goto', 'break', 'return', 'continue']);

/**
 * The exits that may be an acquire's own failure (the acquire at token `from` of a body whose braces
 * are at `open` and `close`): the first exit after it, and the others of the braced block holding
 * that one (`if (failed) { ...; goto a; ... goto b; }`); none more when it is directly in the body.
 */
export function ownExitsAfter(tokens: readonly Token[], open: number, close: number, from: number): Set<number> {
  const own = new Set<number>();
  let first = -1;
  for (let k = from + 1; k < close; k++) {
    if (tokens[k].kind === 'id' && EXITS.has(tokens[k].text)) {
      first = k;
      break;
    }
  }
  if (first < 0) return own;
  own.add(first);
  const block = innermostBlock(tokens, open, first);
  if (block === open) return own;
  const end = matchForward(tokens, block);
  for (let k = first + 1; k < end; k++) if (tokens[k].kind === 'id' && EXITS.has(tokens[k].text)) own.add(k);
  return own;
}

const EDITED = new Set(['goto', 'break']);

interface Held {
  resource: PairResource;
  rule: string;
  /** Token index in initialize's file from which initialize holds it: the acquire, or initialize's call toward it. */
  from: number;
  /** The exits that may be the acquire's own failure: the first exit after `from`, and the others of its block. */
  ownExits: Set<number>;
  acquire: ApiCall;
}

export function pairExitToReturn(
  ctx: OperatorContext,
  resources: readonly PairResource[] = packResources(),
): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const inits = definitions(ctx, ctx.label.initialize);
  if (inits.length === 0 || !resources.some((r) => r.pairing)) return out;
  const init = inits[0];
  const file = init.file;
  const c = defined(ctx.c(file));
  const tokens = ctx.tokens(file);
  const { open, close } = bodyRange(tokens, init);
  if (open < 0 || close < 0) return out;
  const calls = ctx.graph().calls;
  const reached = new Map<string, Set<string>>();
  const reachOf = (name: string): Set<string> => {
    let r = reached.get(name);
    if (!r) reached.set(name, (r = reach(calls, [name])));
    return r;
  };
  const initCalls = callReach(ctx, [init]);
  const initMentions = mentionReach(ctx, [init]);

  /** The first token of initialize's body from which initialize holds what `holder` acquires. */
  const heldFrom = (acquire: ApiCall): number | undefined => {
    if (acquire.holder?.name === init.name && acquire.file === file) {
      const k = tokens.findIndex((t) => t.start === acquire.start);
      return k > open && k < close ? k : undefined;
    }
    const target = acquire.holder?.name;
    if (target === undefined) return undefined;
    for (let k = open + 1; k < close; k++) {
      const t = tokens[k];
      if (t.kind === 'id' && tokens[k + 1]?.text === '(' && reachOf(t.text).has(target)) return k;
    }
    return undefined;
  };
  const ownExits = (from: number): Set<number> => ownExitsAfter(tokens, open, close, from);

  const held: Held[] = [];
  let macroAcquires: string[] = [];
  for (const resource of resources) {
    if (resource.onFailureRule === undefined) continue;
    macroAcquires = [
      ...macroAcquires,
      ...[...macrosMentioning(ctx, resource.acquire)].filter((m) => initMentions.has(m)),
    ];
    for (const acquire of apiCalls(ctx, resource.acquire, resource.acquireHandleArg)) {
      if (!acquire.holder || !initCalls.has(acquire.holder.name)) continue;
      const from = heldFrom(acquire);
      if (from === undefined) continue;
      held.push({ resource, rule: resource.onFailureRule, from, ownExits: ownExits(from), acquire });
    }
  }
  const opens = resources.filter((r) => r.inOpenerRule !== undefined);
  const releaseApis = new Map(resources.map((r) => [r.release, r]));

  for (let k = open + 1; k < close; k++) {
    const t = tokens[k];
    if (t.kind !== 'id' || !EDITED.has(t.text)) continue;
    const before = held.filter((h) => h.from < k);
    // The mapping alone is exit-to-return's (from the labels); here a pack resource must be held.
    if (!before.some((h) => h.resource.pairing)) continue;
    const exit: Place = { file, line: lineOf(c, t.start) };
    const exclude = (why: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(PAIR_EXIT_TO_RETURN, why, exit, detail));
    };
    if (severalCallbacks(ctx)) {
      exclude('several initialize or halt callbacks', '');
      continue;
    }
    const statement = jumpStatement(tokens, k);
    const onLine = tokens.filter(
      (x, i) => x.kind === 'id' && EDITED.has(x.text) && i > open && i < close && lineOf(c, x.start) === exit.line,
    );
    if (!statement || onLine.length !== 1 || crossesDirective(c, statement.start, statement.end)) {
      exclude('not a plain jump statement alone on its line', t.text);
      continue;
    }
    const tested = exitStatusCall(tokens, open, k);
    if (tested !== undefined && returnsOnlySuccess(ctx, tested)) {
      exclude('the exit is taken only on the failure of a function that returns only success', tested);
      continue;
    }
    if (before.some((h) => h.ownExits.has(k))) {
      exclude("the first exit after an acquire (it may be the acquire's own failure)", t.text);
      continue;
    }
    const outside = before.find((h) => {
      const block = innermostBlock(tokens, open, h.from);
      return block !== open && matchForward(tokens, block) < k;
    });
    if (outside) {
      exclude('an acquire is in a block the exit is not in', placeKey(outside.acquire));
      continue;
    }
    if (macroAcquires.length > 0) {
      exclude('a macro in initialize acquires a resource', macroAcquires.join(','));
      continue;
    }
    let releasedBetween: string | undefined;
    let locked = false;
    let openConfigs = 0;
    for (let i = open + 1; i < k; i++) {
      const x = tokens[i];
      if (x.kind !== 'id' || tokens[i + 1]?.text !== '(') continue;
      const r = releaseApis.get(x.text);
      if (r && before.some((h) => h.resource === r && h.from < i)) releasedBetween = x.text;
      if (LOCK_ACQUIRES.has(x.text)) locked = true;
      if (opens.some((o) => o.acquire === x.text)) openConfigs++;
      if (opens.some((o) => o.release === x.text)) openConfigs--;
    }
    if (releasedBetween !== undefined) {
      exclude('initialize releases the resource between the acquire and the exit', releasedBetween);
      continue;
    }
    if (locked) {
      exclude('a spin lock may be held at the exit', '');
      continue;
    }
    if (openConfigs > 0) {
      exclude('a configuration handle may be open at the exit', '');
      continue;
    }
    const rules = [...new Set(before.map((h) => h.rule))];
    const expected = rules.map((rule) => ({ rule, file, line: exit.line }));
    const known = expected.map((e) => labelledAt(ctx, e)).find((l) => l !== undefined);
    if (known) {
      exclude(LABELLED_EXIT[known], '');
      continue;
    }
    out.mutants.push({
      id: `${PAIR_EXIT_TO_RETURN}@${placeKey(exit)}`,
      operator: PAIR_EXIT_TO_RETURN,
      file,
      line: exit.line,
      description: `${t.text} after ${before.map((h) => h.resource.acquire).join(', ')} becomes an early return of a failure`,
      edits: [{ file, start: statement.start, end: statement.end, text: FAILURE_RETURN }],
      expected,
    });
  }
  return out;
}
