/**
 * The names a helper's walk can reach state through: every identifier of its
 * body and of the bodies of what it may step into, the fields the helpers it
 * calls without stepping in may write, and the text of the macros any of them
 * use. A remembered walk of the helper (`pathsummary.ts`) is keyed only by the
 * part of the arrival's state those names can reach: a struct field none of
 * them names (the receive rings, to a routine that frees the send rings) can be
 * neither read nor written by the walk, so arrivals that differ only there take
 * one walk.
 *
 * Where the text cannot bound what is reached (a call through a pointer, in the
 * code or in a macro it uses, which may call anything whose address is taken),
 * there is no footprint and the key is the whole state, as before. The footprint is a claim about reads; writes
 * are checked besides: a walk whose exits changed anything outside it is not
 * remembered (`summarise`).
 */
import type { Expr, Stmt } from './ast.js';
import type { Analysis } from './pathcontext.js';
import { typesHeldThrough } from './pathinstance.js';
import { walkExprs, type FnDef } from './program.js';
import { isDeviceWait, isZeroingCall } from './values.js';
import { rememberedPer } from '../util/memo.js';

const WORD = /[A-Za-z_]\w*/g;
const IDENT = /^[A-Za-z_]\w*$/;

/** The names `fn`'s walk can reach state through, or undefined where its text cannot bound them. */
export const footprintOf: (an: Analysis, fn: FnDef) => ReadonlySet<string> | undefined = rememberedPer(readFootprint);

/**
 * Functions a footprint may span: past it the key is the whole state. A real cleanup routine
 * reaches a few dozen; a generated chain of thousands would make every helper's footprint the
 * whole chain, and their sum grow with its square.
 */
const MAX_FOOTPRINT_FUNCTIONS = 64;

/** The footprint's names, and the structs its walks may step a pointer over (see `OwnNames`). */
const footprintParts: (an: Analysis, fn: FnDef) => { names: Set<string>; steps: Set<string> | 'all' } | undefined =
  rememberedPer((an: Analysis, root: FnDef) => readFootprintParts(root, (fn) => ownNames(an, fn)));

function readFootprint(an: Analysis, root: FnDef): Set<string> | undefined {
  return footprintParts(an, root)?.names;
}

function readFootprintParts(
  root: FnDef,
  ownOf: (fn: FnDef) => OwnNames | undefined,
): { names: Set<string>; steps: Set<string> | 'all' } | undefined {
  const names = new Set<string>();
  let steps: Set<string> | 'all' = new Set<string>();
  const seen = new Set<FnDef>([root]);
  const todo: FnDef[] = [root];
  for (let fn = todo.pop(); fn; fn = todo.pop()) {
    const own = ownOf(fn);
    if (!own) return undefined;
    for (const w of own.words) names.add(w);
    if (own.steps === 'all') steps = 'all';
    else if (steps !== 'all') for (const t of own.steps) steps.add(t);
    for (const t of own.callees)
      if (!seen.has(t)) {
        if (seen.size >= MAX_FOOTPRINT_FUNCTIONS) return undefined;
        seen.add(t);
        todo.push(t);
      }
  }
  return { names, steps };
}

interface OwnNames {
  words: Set<string>;
  /** The functions its names and its macros' names may call. */
  callees: FnDef[];
  /**
   * The struct types its walk may step a pointer over (`p++`, `p += n` on a variable): 'all' where
   * one such variable's type is not known here, or a macro it uses steps something.
   */
  steps: Set<string> | 'all';
}

/**
 * One function's part of a footprint, read once per analysis: its names (its whole body where the
 * walk may step into it, else the fields it writes), those of the macros it uses as they expand
 * where it is, and the functions any of them name. Undefined where it calls through a pointer.
 */
const ownNames: (an: Analysis, fn: FnDef) => OwnNames | undefined = rememberedPer((an: Analysis, fn: FnDef) =>
  readOwnNames(an, fn),
);

/** `past`: statements of the body the walk goes past (`pathdead.ts`), read as `readWhenPast` says. */
function readOwnNames(an: Analysis, fn: FnDef, past?: ReadonlyMap<Stmt, unknown>): OwnNames | undefined {
  // A call through a pointer may reach any function whose address is taken.
  if (fn.fact.indirectCalls > 0) return undefined;
  const words = new Set<string>();
  const fresh: string[] = [];
  const add = (w: string) => {
    if (!words.has(w)) {
      words.add(w);
      fresh.push(w);
    }
  };
  // A helper the walk may step into is read whole; any other is an opaque call, which forgets
  // only the fields it writes (`opaqueCall`).
  let steps: Set<string> | 'all' = new Set<string>();
  if (an.relevant.has(fn)) steps = steppedStructs(an, fn, readBody(fn.body, add, past));
  else for (const w of [...(fn.fact.fieldWrites ?? []), ...(fn.fact.maskedWrites ?? [])]) wordsOf(w, add);
  for (const c of fn.fact.calls) add(c);
  for (const r of fn.fact.refs) add(r);
  const callees: FnDef[] = [];
  // Macros as they expand in this function's file, as deep as they nest.
  for (let w = fresh.pop(); w !== undefined; w = fresh.pop()) {
    const m = an.program.macro(fn.file, w);
    if (m) {
      // Its expansion may call through a pointer (`(a)->Ops->Free(a)`, a parameter called as a function).
      if (callsThroughPointer(m.body, m.params)) return undefined;
      // What it steps is named by its use (a parameter): any struct.
      if (STEP_TEXT.test(m.body)) steps = 'all';
      wordsOf(m.body, add);
    }
    for (const t of an.program.resolve(fn.file, w)) callees.push(t);
  }
  return { words, callees, steps };
}

const STEP_TEXT = /\+\+|--|\+=|-=/;

/**
 * The structs a walk of `fn`'s body may step a pointer variable over (`stepPointer` reads a released
 * field of one): each stepped variable's declared type (its parameters, its body's declarations, the
 * program's globals), as `pointeeStruct` reads it; 'all' where a stepped name is declared nowhere.
 */
function steppedStructs(an: Analysis, fn: FnDef, body: BodyFacts): Set<string> | 'all' {
  const { declared, stepped } = body;
  for (const p of fn.params) declare(body, p.n, p);
  const out = new Set<string>();
  for (const n of stepped) {
    const global = an.program.globals.get(n);
    const types = [...(declared.get(n) ?? []), ...(global ? [global] : [])];
    if (types.length === 0) return 'all';
    for (const v of types) {
      if (v.ptr > 1) continue;
      const ty = an.keys.canonicalType(v.ty);
      if (an.program.structs.has(ty)) out.add(an.keys.displayType(ty));
    }
  }
  return out;
}

/** Does a macro's body call a member, a dereference or one of its own parameters? */
function callsThroughPointer(body: string, params: string[] | null): boolean {
  if (/(?:->|\.)\s*[A-Za-z_]\w*\s*\(/.test(body) || callsDereference(body)) return true;
  for (const p of params ?? []) {
    for (const m of body.matchAll(WORD_THEN_PAREN)) if (m[1] === p) return true;
  }
  return false;
}

/**
 * Is a parenthesised dereference called (`(*Handler)(a)`, `(*(PFN)p)(a)`), or one that ends the
 * body and stores nothing (`(*(p))`, which its use may call)? One stored through
 * (`(*((PMP_RX_MSDU *)&x->Reserved) = r)`) calls nothing: taking it for a call made every helper
 * whose macros store through a cast unbounded, so walked afresh on each arrival.
 */
function callsDereference(body: string): boolean {
  for (let i = body.indexOf('('); i >= 0; i = body.indexOf('(', i + 1)) {
    let j = i + 1;
    while (body.charCodeAt(j) === 32 || body.charCodeAt(j) === 9) j++;
    if (body[j] !== '*') continue;
    let depth = 1;
    let stores = false;
    for (j++; j < body.length && depth > 0; j++) {
      const c = body[j];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth === 1 && c === '=' && body[j + 1] !== '=' && !'=!<>'.includes(body[j - 1])) stores = true;
    }
    // Unbalanced: the text cannot show what it calls.
    if (depth > 0) return true;
    while (j < body.length && /\s/.test(body[j])) j++;
    if (body[j] === '(' || (j === body.length && !stores)) return true;
  }
  return false;
}

const WORD_THEN_PAREN = /([A-Za-z_]\w*)\s*\(/g;

function wordsOf(text: string, add: (w: string) => void): void {
  for (const m of text.matchAll(WORD)) add(m[0]);
}

/**
 * One pass over a body: every identifier-like string (names, fields, types, calls; over-reading is
 * safe), and for `steppedStructs` the variables it declares and those it steps (`p++`, `p += n`).
 */
function readBody(body: Stmt, add: (w: string) => void, past?: ReadonlyMap<Stmt, unknown>): BodyFacts {
  const facts: BodyFacts = { declared: new Map(), stepped: new Set() };
  const todo: unknown[] = [body];
  for (let x = todo.pop(); x !== undefined; x = todo.pop()) {
    if (typeof x === 'string') {
      if (IDENT.test(x)) add(x);
      continue;
    }
    if (Array.isArray(x)) {
      for (const y of x) todo.push(y);
      continue;
    }
    if (x === null || typeof x !== 'object') continue;
    if (past?.has(x as Stmt)) {
      todo.push(...readWhenPast(x as Stmt));
      continue;
    }
    const node = x as Partial<Stmt & Expr>;
    if (node.k === 'decl') for (const d of (x as Extract<Stmt, { k: 'decl' }>).d) declare(facts, d.n, d);
    const e = x as Expr;
    if ((e.t === 'un' || e.t === 'post') && (e.op === '++' || e.op === '--') && e.e.t === 'id')
      facts.stepped.add(e.e.n);
    if (e.t === 'asg' && (e.op === '+=' || e.op === '-=') && e.l.t === 'id') facts.stepped.add(e.l.n);
    for (const y of Object.values(x)) todo.push(y);
  }
  return facts;
}

interface BodyFacts {
  declared: Map<string, { ty: string; ptr: number }[]>;
  stepped: Set<string>;
}

function declare(facts: BodyFacts, n: string, v: { ty: string; ptr: number }): void {
  const list = facts.declared.get(n);
  if (list) list.push(v);
  else facts.declared.set(n, [v]);
}

/**
 * What the walk still reads of a statement it goes past (`learnUnconditional`): what its test reads
 * through (`A` and `A->Ring` in `A->Ring->Va != NULL`, found not NULL). A `for`'s first clause is
 * no part of its branch: the walk runs it before the test.
 */
function readWhenPast(s: Stmt): unknown[] {
  const out: unknown[] = [];
  if (s.k === 'for' && s.i) out.push(s.i);
  if ((s.k === 'if' || s.k === 'while' || s.k === 'for') && s.c)
    walkExprs({ k: 'exp', e: s.c, p: [0, 0, 0, 0] }, (x) => {
      if (x.t === 'fld') out.push(x.o);
      else if (x.t === 'idx') out.push(x.o, x.i);
      else if (x.t === 'un' && x.op === '*') out.push(x.e);
    });
  return out;
}

/**
 * The footprint of `fn` where its walk goes past `dead` statements of its own body: their words out
 * but what the walk still reads of them; what it steps into as `footprintOf` reads it.
 */
function footprintPast(an: Analysis, fn: FnDef, dead: ReadonlyMap<Stmt, unknown>): ReadonlySet<string> | undefined {
  let byFn = pastFootprints.get(dead);
  if (!byFn) pastFootprints.set(dead, (byFn = new Map<FnDef, ReadonlySet<string> | undefined>()));
  if (!byFn.has(fn))
    byFn.set(fn, readFootprintParts(fn, (f) => (f === fn ? readOwnNames(an, f, dead) : ownNames(an, f)))?.names);
  return byFn.get(fn);
}

const pastFootprints = new WeakMap<ReadonlyMap<Stmt, unknown>, Map<FnDef, ReadonlySet<string> | undefined>>();

/**
 * What a walk of `fn` with these arguments can reach (`pathsummary.ts`'s `Sight`): undefined where
 * the text cannot bound it. A struct field key (`ADAPTER.RxRing[]`, `NIC.Flags&4`) is in reach only
 * where a name after its struct type is in the footprint; a variable of a calling invocation never;
 * any other key (a global, a dereference) always; and whatever an argument was handed as, always.
 */
export function sightOf(
  an: Analysis,
  fn: FnDef,
  args: readonly { key?: string; pointee?: string }[],
  /** Is a key a variable of the invocations it is called from (which it cannot name)? */
  callers: (k: string) => boolean,
  /** Statements of its body the walk goes past in this calling context (`pathdead.ts`). */
  dead?: ReadonlyMap<Stmt, unknown>,
): ((k: string) => boolean) | undefined {
  const footprint = dead?.size ? footprintPast(an, fn, dead) : footprintOf(an, fn);
  if (!footprint) return undefined;
  let byKey = verdicts.get(footprint);
  if (!byKey) verdicts.set(footprint, (byKey = new Map<string, boolean>()));
  const known = byKey;
  const argKeys: string[] = [];
  for (const a of args) {
    if (a.key !== undefined) argKeys.push(a.key);
    if (a.pointee !== undefined) argKeys.push(a.pointee);
  }
  return (k) => {
    for (const a of argKeys) if (k.startsWith(a)) return true;
    if (callers(k)) return false;
    let v = known.get(k);
    if (v === undefined) known.set(k, (v = namesField(footprint, k)));
    return v;
  };
}

/** Per footprint, whether it names each key asked about (keys recur across arrivals). */
const verdicts = new WeakMap<ReadonlySet<string>, Map<string, boolean>>();

function namesField(footprint: ReadonlySet<string>, k: string): boolean {
  const amp = k.indexOf('&');
  const end = amp < 0 ? k.length : amp;
  const dot = k.indexOf('.');
  const colon = k.indexOf(':');
  if (dot < 0 || dot >= end || (colon >= 0 && colon < end)) return true;
  for (const m of k.slice(dot, end).matchAll(WORD)) if (footprint.has(m[0])) return true;
  return false;
}

/**
 * What a helper's walk may ask of the storage out of its sight (`summaryKey`'s shadow). Three steps
 * read all that a path holds, wherever it is named; each only under a condition the footprint shows:
 * - `forgetDeviceMemory` (a device wait, or a store through a mapped register window) keeps the fields
 *   of every struct that holds a handle: `holders`;
 * - `hidesHeldResource`, asked when NULL is stored into a field (or a zeroing call clears a struct's),
 *   looks for a field still held in the structs reachable from what that field points to: `held`, the
 *   structs reachable from any field the footprint or an argument names ('all' after a zeroing call,
 *   which clears fields no text names);
 * - `stepPointer`, on `p++` over a struct pointer, looks for a released field of that struct: `gone`.
 */
export interface ShadowScope {
  holders: boolean;
  held: ReadonlySet<string> | 'all';
  gone: ReadonlySet<string> | 'all';
}

/** The shadow a walk of `fn` with these arguments may read (undefined where it has no footprint). */
export function shadowScopeOf(
  an: Analysis,
  fn: FnDef,
  args: readonly { key?: string; pointee?: string }[],
): ShadowScope | undefined {
  const base = baseShadow(an, fn);
  if (!base || base.held === 'all') return base;
  // A field an argument hands over (`&a->Va`) is written under the caller's name for it.
  let held: Set<string> | undefined;
  for (const a of args)
    for (const k of [a.key, a.pointee])
      if (k !== undefined)
        for (const t of typesHeldThroughKey(an, k)) if (!base.held.has(t)) (held ??= new Set(base.held)).add(t);
  return held ? { ...base, held } : base;
}

/** `typesHeldThrough` of every name in a key (`ADAPTER.Ring[]`), remembered per key: a call's arguments recur. */
const typesHeldThroughKey: (an: Analysis, k: string) => ReadonlySet<string> = rememberedPer((an, k: string) => {
  const types = new Set<string>();
  for (const m of k.matchAll(WORD)) for (const t of typesHeldThrough(an, m[0])) types.add(t);
  return types;
});

const baseShadow: (an: Analysis, fn: FnDef) => ShadowScope | undefined = rememberedPer(readBaseShadow);

function readBaseShadow(an: Analysis, fn: FnDef): ShadowScope | undefined {
  const parts = footprintParts(an, fn);
  if (!parts) return undefined;
  const words = [...parts.names];
  const holders = an.resource.deviceRegisters === true || words.some(isDeviceWait);
  let held: Set<string> | 'all' = new Set<string>();
  if (words.some((w) => isZeroingCall(w) || w === 'memset')) held = 'all';
  else for (const w of words) for (const t of typesHeldThrough(an, w)) held.add(t);
  return { holders, held, gone: parts.steps };
}
