/**
 * Rule kind `lock-balance`: along every path through a callback, a lock is
 * not taken while held, not released while not held, released with the call
 * that matches the one that took it (the Dpr forms pair with each other),
 * and not held when the callback returns. A path walk over the callback's
 * control-flow graph, one state of held locks per path. Locks are named by
 * their storage (`&Adapter->Lock` is `ADAPTER.Lock`).
 *
 * A helper that takes or releases locks is summarised into its callers: the
 * lock calls every path through it makes, in order (a take and its release
 * cancel out), reported where the helper makes them.
 *
 * Where it cannot decide it says nothing: a path through a helper whose
 * paths differ (a try-lock), or that recurses, is not followed; nor is a path through a lock call
 * whose lock it cannot name (`NdisAcquireSpinLock(pLock)`), an element of an
 * array of locks, a macro that holds more than one lock call or is defined
 * per #if branch, or a call through a pointer that may reach a lock call.
 * A lock named two ways in one callback (`&Tx->Lock`, `&Rx->Lock` of one
 * type) is left alone. An `if` on the same condition (by its text) twice on
 * one path goes the same way both times, so `if (x) take; ... if (x)
 * release;` is one balanced pair: that can only hide a finding, never make
 * one. Unless the path stores into a variable the condition reads between
 * the two: then the second reads a new value (`rememberedConditions`).
 */
import type { Expr, Pos, Stmt } from '../ast.js';
import type { RoleEvidence } from '../program.js';
import { buildCfg, cycleParts, nodeExprs, nodesReaching, predecessors, type Cfg, type CfgNode } from '../cfg.js';
import { exprText } from '../extract.js';
import { KeyMaker, arrowBase, displayKey, stripCasts } from '../keys.js';
import { MAX_MACRO_NESTING, expandUse, substitute } from '../macros.js';
import { walkExprs, walkStmts, type FnDef, type Program } from '../program.js';
import { formatMessage, type LockBalanceRule, type RulePack } from '../rulepack.js';
import { functionEnv } from '../sites.js';
import { evidenceText, pointerCallable, reaching, roleLabel, span, type Draft } from './common.js';
import { integerValue } from '../values.js';
import { givenByNdis, nonNullTruth, storedOnce, storesByName, testThroughMacros } from './nonnull.js';
import { conditionalMacro } from './uncertain.js';
import { constantCondition, flagLocals, flagStores, flagTruth, type Flags } from './lockflags.js';
import { defined } from '../../util/defined.js';

interface Op {
  acquire: boolean;
  /**
   * The Dpr form or not; undefined for either: a macro that takes (or releases) the lock by one form or
   * the other on a flag (`FILTER_ACQUIRE_LOCK(l, DispatchLevel)` of the ndislwf sample), which takes it
   * on every path and pairs with a release of either form.
   */
  dpr: boolean | undefined;
  key: string;
  call: string;
  text: string;
  p: Pos;
  /** The function whose body makes the call (the callback, or a helper summarised into it). */
  owner: FnDef;
  /**
   * Not a lock call but a finding of a helper carried to its callers: a release in the helper of the
   * other form than the take it pairs with there (TI CPSW3G's `NdisDprAcquireSpinLock(&A->Lock)` ...
   * `NdisReleaseSpinLock(&A->Lock)`), reported where a callback's walk meets the helper. It changes
   * nothing held: the pair balances.
   */
  mismatch?: Held;
}
type Event = Op | 'unknown';

/** A call of a helper: the function making it, its names, and the call (its arguments). */
interface CallUse {
  owner: FnDef;
  env: ReturnType<typeof functionEnv>;
  call: Extract<Expr, { t: 'call' }>;
}

export interface Held {
  dpr: boolean | undefined;
  call: string;
  path: string;
  /** Where it was taken (the acquire call). */
  p: Pos;
}
interface PathState {
  held: Map<string, Held>;
  /** Locks this path no longer follows (after an error reported on them). */
  dropped: Set<string>;
  /** Conditions of `if` statements decided on this path, by text. */
  decided: Map<string, boolean>;
}

/**
 * Findings of a callback remembered across scans (see `DraftMemo` in index.ts): the key says what the
 * walk read, so a callback whose key is unchanged gives the findings it gave.
 */
export interface CallbackMemo {
  key(fn: FnDef, reads: FnDef[], evidence: RoleEvidence): string;
  get(key: string): RememberedCallback | undefined;
  set(key: string, remembered: RememberedCallback): void;
  /**
   * The callback's reports kept under its functions' tokens (`movedanalysis.ts`): found again, with
   * their positions moved, after an edit that only moved the code its walk read.
   */
  moved?: {
    find(
      program: Program,
      fn: FnDef,
      reads: FnDef[],
      evidence: RoleEvidence,
    ): { reports: LockReport[]; walked: FnDef[]; clean: boolean } | undefined;
    keep(
      program: Program,
      fn: FnDef,
      reads: FnDef[],
      evidence: RoleEvidence,
      reports: LockReport[],
      walked: FnDef[],
    ): void;
  };
}

/** One finding of a callback's walk, before it is worded (kept so, it can be worded again where the code moved). */
export interface LockReport {
  messageId: string;
  /** Where it is reported, in the function that holds it; `atEnd`: the callback's closing brace. */
  at: { p: Pos; owner: FnDef; atEnd?: boolean };
  key: string;
  data: Record<string, string>;
  extra: string;
  taken?: Held;
}

/**
 * A callback's findings, and where the functions are whose bodies its walk read (`placeOf`), unless
 * every one of them read cleanly: then reading them again would note nothing, and is not needed.
 */
export interface RememberedCallback {
  drafts: Draft[];
  reads: string[];
}

/** The places of the bodies a walk read, or none when all of them read cleanly (see `RememberedCallback`). */
function damagedPlaces(walked: FnDef[]): string[] {
  return walked.some((f) => f.damaged) ? walked.map(placeOf) : [];
}

/** A function's place: its file, where it starts and in which build variant. */
function placeOf(f: FnDef): string {
  return `${f.file}:${String(f.fact.start)}:${String(f.fact.variant)}`;
}

/** Steps of one callback's walk: far past a real callback, far below a hang. */
const MAX_STEPS = 20_000;
/** Steps of one helper's summary, and the longest sequence of lock calls it may leave. */
const MAX_SUMMARY_STEPS = 5_000;
const MAX_SUMMARY_OPS = 8;
/** Builds of a callback walked apart (macros defined per `#if` branch): real chains have two or three. */
const MAX_BUILDS = 4;

/** What a run's callback walks covered: callbacks walked (a remembered walk is not counted), and those with a path or a lock not followed. */
export interface LockWalks {
  callbacks: number;
  notFollowed: number;
}

export function lockBalance(
  program: Program,
  pack: RulePack,
  rule: LockBalanceRule,
  memo?: CallbackMemo,
  walks?: LockWalks,
): Draft[] {
  const apis = new Map<string, { acquire: boolean; dpr: boolean }>();
  for (const a of rule.acquire) apis.set(a.call, { acquire: true, dpr: a.dpr });
  for (const r of rule.release) apis.set(r.call, { acquire: false, dpr: r.dpr });
  const names = [...apis.keys()];
  // Functions that take or release a lock, directly or through what they call.
  const lockers = reaching(program, names, []);
  const keys = new KeyMaker(program);
  const drafts: Draft[] = [];
  const ids = new Interner();
  /** The text of an `if` condition, by expression (a path state remembers how it went). */
  const condTexts = new Map<Expr, string>();
  const condText = (c: Expr): string => {
    let t = condTexts.get(c);
    if (t === undefined) condTexts.set(c, (t = exprText(c)));
    return t;
  };

  /** A path's decisions with the flags (`lockflags.ts`) a node stored set to what they now hold. */
  const setFlags = (stores: [string, boolean | undefined][], decided: Map<string, boolean>): Map<string, boolean> => {
    let out = decided;
    for (const [flag, v] of stores) {
      if (v !== undefined) out = ids.decide(out, flagKey(flag), v);
      else if (out.has(flagKey(flag))) {
        // A derived flag whose test the path cannot tell: what it held before no longer holds.
        out = new Map(out);
        out.delete(flagKey(flag));
      }
    }
    return out;
  };

  /**
   * The build a walk reads, where a macro is defined per `#if` branch with different lock calls: the
   * n-th definition of every such macro (`program.macroDefinitions` keeps them in file and line order,
   * so the n-th branch of each `#if` chain, as the parse's own build variants take them; a macro with
   * fewer definitions expands its last, the `#else`); undefined while no build is chosen.
   */
  let build: number | undefined;
  /**
   * Functions whose bodies use such a macro, to the most definitions one has: a callback has as many
   * builds as the most of the bodies its walk reads (one where it reads none).
   */
  const splitBy = new Map<FnDef, number>();
  /** What is read per build: an expression's events, a macro use's reading, a helper's summary. */
  interface BuildReadings {
    events: Map<Expr, Event[]>;
    macroReadings: WeakMap<Stmt, Map<string, Op[] | 'unknown'>>;
    summaries: Map<FnDef | string, Op[] | 'unknown'>;
  }
  const readings = new Map<number | undefined, BuildReadings>();
  const readingsOf = (b: number | undefined): BuildReadings => {
    let r = readings.get(b);
    if (!r) readings.set(b, (r = { events: new Map(), macroReadings: new WeakMap(), summaries: new Map() }));
    return r;
  };
  let { events, macroReadings, summaries } = readingsOf(undefined);
  const chooseBuild = (b: number | undefined): void => {
    build = b;
    ({ events, macroReadings, summaries } = readingsOf(b));
  };
  /** Lock events of an expression of `owner`'s body, in evaluation order; calls from a macro are placed at its use. */
  const eventsOf = (owner: FnDef, e: Expr): Event[] => {
    let hit = events.get(e);
    if (!hit) events.set(e, (hit = collect(owner, functionEnv(owner), e, 0)));
    return hit;
  };
  let mayLock: boolean | undefined;
  /** Some function a call through a pointer nothing resolves may call can reach a lock call. */
  const pointerMayLock = (): boolean => (mayLock ??= [...pointerCallable(program, pack)].some((f) => lockers.has(f)));
  /**
   * A helper's lock calls count in its caller, when every path through every definition does the same;
   * a lock the helper was handed (`NicLock(PNDIS_SPIN_LOCK Lock)`) is the one the call hands it.
   */
  const sameInEvery = (targets: FnDef[], use: CallUse): Event[] => {
    const sums = targets.map((t) => {
      const sum = summary(t, constantsHanded(t, use));
      return sum === 'unknown' ? sum : handedIn(sum, t, use);
    });
    const first = sums[0];
    if (first === 'unknown' || sums.some((x) => x === 'unknown' || seqKey(x) !== seqKey(first))) return ['unknown'];
    return first;
  };

  /**
   * The key of the lock a pointer argument of `owner` points to: `&X` is X; a local stored once is what
   * it holds (`spin_lock = &lock->spin_lock;`); a parameter never stored into is the lock its caller
   * hands it, `*Helper#3:Lock` until `handedIn` puts the caller's in; anything else is not known.
   */
  const lockKeyOf = (owner: FnDef, env: ReturnType<typeof functionEnv>, arg: Expr, depth = 0): string | undefined => {
    const bare = stripCasts(arg);
    if (bare.t === 'un' && bare.op === '&') return keys.key(bare.e, env);
    if (bare.t !== 'id' || !env.vars.has(bare.n) || depth > 4) return undefined;
    const stores = storesByName(owner.body).get(bare.n);
    if (owner.params.some((q) => q.n === bare.n))
      return stores === undefined ? keys.key({ t: 'un', op: '*', e: bare }, env) : undefined;
    const held = stores?.length === 1 ? stores[0] : undefined;
    return held ? lockKeyOf(owner, env, held, depth + 1) : undefined;
  };

  const paramLocks = new Map<FnDef, Map<string, number>>();
  /** Per helper: the key `lockKeyOf` gives the lock each parameter points to, to its position. */
  const paramLockKeys = (helper: FnDef): Map<string, number> => {
    let byKey = paramLocks.get(helper);
    if (!byKey) {
      const env = functionEnv(helper);
      byKey = new Map();
      for (const [i, q] of helper.params.entries()) {
        const k = keys.key({ t: 'un', op: '*', e: { t: 'id', n: q.n } }, env);
        if (k !== undefined) byKey.set(k, i);
      }
      paramLocks.set(helper, byKey);
    }
    return byKey;
  };
  /** A helper's lock calls with the locks it was handed named as the call `use` names them. */
  const handedIn = (ops: Op[], helper: FnDef, use: CallUse): Op[] | 'unknown' => {
    if (!ops.length) return ops;
    const handed = paramLockKeys(helper);
    if (!ops.some((o) => handed.has(o.key))) return ops;
    const out: Op[] = [];
    for (const o of ops) {
      const i = handed.get(o.key);
      if (i === undefined) {
        out.push(o);
        continue;
      }
      const arg = use.call.a[i] as Expr | undefined;
      const key = arg ? lockKeyOf(use.owner, use.env, arg) : undefined;
      if (key === undefined || key.includes('[]')) return 'unknown';
      out.push({ ...o, key, text: lockText(stripCasts(defined(arg, 'handed lock'))) });
    }
    return out;
  };
  const collect = (owner: FnDef, env: ReturnType<typeof functionEnv>, root: Expr, depth: number): Event[] => {
    const out: Event[] = [];
    walkExprs({ k: 'exp', e: root, p: [0, 0, 0, 0] }, (x) => {
      if (x.t !== 'call') return;
      if (x.f.t !== 'id') {
        // Through a struct field: one of the functions stored into that field (as the path analysis
        // steps into them), which count only where every one makes the same lock calls.
        const field = x.f.t === 'fld' ? x.f.f : undefined;
        const targets = field ? [...new Set(program.fieldTargets(field).map((t) => t.fn))] : [];
        if (targets.length) {
          if (targets.some((t) => lockers.has(t))) out.push(...sameInEvery(targets, { owner, env, call: x }));
        } else if (pointerMayLock()) out.push('unknown');
        return;
      }
      const name = program.aliasOf(owner.file, x.f.n);
      const api = apis.get(name);
      // A call from a macro's expansion is already placed at the macro's use.
      const p = x.p;
      if (api) {
        const arg = x.a[0] as Expr | undefined;
        const bare = arg ? stripCasts(arg) : undefined;
        const key = arg ? lockKeyOf(owner, env, arg) : undefined;
        if (!key || key.includes('[]') || !bare) out.push('unknown');
        else out.push({ ...api, key, call: name, text: lockText(bare), p, owner });
        return;
      }
      const targets = program.resolve(owner.file, name);
      if (targets.length) {
        if (!targets.some((t) => lockers.has(t))) return;
        out.push(...sameInEvery(targets, { owner, env, call: x }));
        return;
      }
      if (!program.macro(owner.file, name)) {
        // A call through a pointer variable (`Handler(Adapter)`) may call any function whose address is taken.
        if ((env.vars.has(x.f.n) || program.globals.has(x.f.n)) && pointerMayLock()) out.push('unknown');
        return;
      }
      const reached = program.expandName(owner.file, name);
      const locks = reached.some(
        (r) => apis.has(r.name) || program.resolve(owner.file, r.name).some((t) => lockers.has(t)),
      );
      if (!locks && !program.expansionCallsParameter(owner.file, name)) return;
      const conditional = conditionalMacro(program, name);
      // Walking one build (`build`): a macro defined per `#if` branch expands its definition of that build.
      const defs = conditional && build !== undefined ? program.macroDefinitions(name) : undefined;
      const mb = defs ? defs[Math.min(build ?? 0, defs.length - 1)] : program.macroBody(owner.file, name);
      if (mb?.params.length !== x.a.length || depth >= MAX_MACRO_NESTING) {
        if (locks) out.push('unknown');
        return;
      }
      const ops = macroOps(owner, env, x, name, mb, depth);
      if (ops === 'unknown') {
        if (locks) out.push('unknown');
        return;
      }
      // Defined differently in `#if` branches: each build expands one definition, so the use counts
      // only where every definition makes the same lock calls (a debug build's allocation audited
      // under a lock it takes and releases, a release build's plain call: none either way). Where
      // they differ, the callback is walked again once per build (`walkBuilds`).
      if (conditional && !defs) {
        const all = program.macroDefinitions(name);
        const same = all?.every((d) => {
          if (d.params.length !== x.a.length) return false;
          const other = macroOps(owner, env, x, name, d, depth);
          return other !== 'unknown' && lockCalls(other) === lockCalls(ops);
        });
        if (!same) {
          if (locks && all) splitBy.set(owner, Math.max(splitBy.get(owner) ?? 0, all.length));
          if (locks) out.push('unknown');
          return;
        }
      }
      out.push(...ops);
    });
    return out;
  };

  /**
   * The lock calls of one macro use expanded with one definition, read as a helper's are: the paths
   * through its body (`{ if (A->Stats) { NdisAcquireSpinLock(&A->StatsLock); ...; NdisReleaseSpinLock(
   * &A->StatsLock); } }` makes none; `if (d) NdisDprAcquireSpinLock(l); else NdisAcquireSpinLock(l);`
   * one of either form, named by the macro). A body that returns or jumps out, or holds a `switch`, is
   * read as its expressions in a row: one lock call, or one of either form by an `if`/`else`;
   * 'unknown' for anything else.
   */
  const macroOps = (
    owner: FnDef,
    env: ReturnType<typeof functionEnv>,
    use: Extract<Expr, { t: 'call' }>,
    name: string,
    def: { params: string[]; body: Stmt },
    depth: number,
  ): Op[] | 'unknown' => {
    // One use read once: a macro that uses another twice, which uses another twice, ... puts the
    // same inner use in again and again (each at the outer use's place), and reading each anew
    // doubled the work at every level.
    const key = `${placeOf(owner)}|${use.p.join(':')}|${String(depth)}|${use.a.map(exprText).join(',')}`;
    let byUse = macroReadings.get(def.body);
    if (!byUse) macroReadings.set(def.body, (byUse = new Map<string, Op[] | 'unknown'>()));
    const known = byUse.get(key);
    if (known !== undefined) return known;
    let read: Op[] | 'unknown';
    if (staysInside(def.body)) {
      const ops = pathsThrough(def.body, owner.file, (e) =>
        collect(owner, env, substitute(e, def.params, use.a, use.p), depth + 1),
      );
      read = ops !== 'unknown' && ops.length === 1 && ops[0].dpr === undefined ? [{ ...ops[0], call: name }] : ops;
    } else {
      const expansion = expandUse(use, def, name, [], () => undefined, 64);
      const inner: Event[] = [];
      for (const y of expansion.exprs) inner.push(...collect(owner, env, y, depth + 1));
      const either = inner.length === 2 ? eitherForm(def.body, inner[0], inner[1]) : undefined;
      read = either
        ? [{ ...either, call: name }]
        : inner.length > 1 || inner[0] === 'unknown'
          ? 'unknown'
          : (inner as Op[]);
    }
    byUse.set(key, read);
    return read;
  };

  /**
   * The helpers whose summaries each walk asked for (a callback's, or a helper's own summary), so a
   * callback reused from the memo reads the bodies its walk read: a body's damage is noted only once
   * a rule has read it, and a reused callback must leave the same notes as a fresh walk.
   */
  const asked: Set<FnDef>[] = [];
  const summaryAsks = new Map<FnDef, Set<FnDef>>();
  /**
   * What every path through a helper does to locks, as a sequence of lock calls (a take and its
   * release on one path cancel out), for any call or for the constants a call hands it; 'unknown'
   * when paths differ, a path cannot be followed, or the helper recurses and takes or releases a lock
   * on its whole (see `making`).
   */
  const summary = (h: FnDef, constants?: Map<string, bigint>): Op[] | 'unknown' => {
    asked.at(-1)?.add(h);
    const memo = constants ? `${placeOf(h)}|${[...constants].map(([n, v]) => `${n}=${String(v)}`).join(',')}` : h;
    const known = summaries.get(memo);
    if (known) return known;
    const recursing = making.find((m) => m.memo === memo);
    if (recursing) {
      recursing.recursed = true;
      return [];
    }
    const own = summaryAsks.get(h) ?? new Set<FnDef>();
    summaryAsks.set(h, own);
    asked.push(own);
    const mine = { memo, recursed: false };
    making.push(mine);
    let result = summarise(h, constants);
    making.pop();
    asked.pop();
    if (mine.recursed && (result === 'unknown' || result.some((o) => !o.mismatch))) {
      // The guess was wrong: what was read under it is read again, and the helper is not followed.
      readings.delete(build);
      chooseBuild(build);
      result = 'unknown';
    }
    summaries.set(memo, result);
    return result;
  };
  /**
   * The summaries being made, innermost last. A helper asked again while its summary is being made
   * (a recursion: athwifi's send-complete routine sends what is queued, and a send that fails
   * completes) is read as making no lock call there. Where its summary, once made, makes none either,
   * that reading was right (every path through it, the recursive ones too, is balanced) and all that
   * was read under it stands; otherwise the summary is 'unknown', and this build's readings (events,
   * macro readings, summaries, some read under the wrong guess) are dropped to be read again.
   */
  const making: { memo: FnDef | string; recursed: boolean }[] = [];

  /**
   * The parameters a helper chooses its paths by (`switch (type)`, `if (type == RT_RX_SPINLOCK)`) that
   * a call hands a constant (`_PlatformAcquireSpinLock(Adapter, RT_RX_SPINLOCK)`, rtwlan's one helper
   * for a dozen locks): the helper's summary for that call goes only the way the constant decides.
   */
  const constantsHanded = (h: FnDef, use: CallUse): Map<string, bigint> | undefined => {
    const chosen = choosingParams(h);
    if (!chosen.size) return undefined;
    const out = new Map<string, bigint>();
    h.params.forEach((q, i) => {
      const arg = use.call.a[i] as Expr | undefined;
      if (!chosen.has(q.n) || !arg) return;
      const v = integerValue(stripCasts(arg), program, use.owner.file);
      if (v !== undefined) out.set(q.n, v);
    });
    return out.size ? out : undefined;
  };
  const choosers = new Map<FnDef, Set<string>>();
  /** Parameters never stored into that a `switch` or an `==`/`!=` test of the body reads bare. */
  const choosingParams = (h: FnDef): Set<string> => {
    const known = choosers.get(h);
    if (known) return known;
    const out = new Set<string>();
    const params = new Set(h.params.map((q) => q.n));
    const stores = storesByName(h.body);
    const note = (e: Expr) => {
      const x = stripCasts(e);
      if (x.t === 'id' && params.has(x.n) && !stores.has(x.n)) out.add(x.n);
    };
    const compared = (e: Expr) => {
      if (e.t === 'bin' && (e.op === '==' || e.op === '!=')) {
        note(e.l);
        note(e.r);
      }
    };
    walkStmts(h.body, (st) => {
      if (st.k === 'sw') note(st.c);
      // A test written through a macro (`if (IS_TYPE(Type, RX))`) is read as the walk reads it.
      if (st.k === 'if') walkExprs({ k: 'exp', e: testThroughMacros(program, h.file, st.c), p: st.p }, compared);
    });
    walkExprs(h.body, compared);
    choosers.set(h, out);
    return out;
  };
  /** The callback and every helper whose summary its walk asked for, on down. */
  const bodiesWalked = (fn: FnDef, direct: Set<FnDef>): FnDef[] => {
    const out = new Set<FnDef>([fn]);
    const todo = [...direct];
    for (let h = todo.pop(); h; h = todo.pop()) {
      if (out.has(h)) continue;
      out.add(h);
      todo.push(...(summaryAsks.get(h) ?? []));
    }
    return [...out];
  };
  const byPlace = new Map(program.functions.map((f) => [placeOf(f), f]));
  /** The truth of `p == C` or `p != C` (either side) for a parameter handed a constant, else undefined. */
  const handedTruth = (c: Expr, constants: Map<string, bigint> | undefined, file: string): boolean | undefined => {
    const e = stripCasts(c);
    if (!constants || e.t !== 'bin' || (e.op !== '==' && e.op !== '!=')) return undefined;
    const l = stripCasts(e.l);
    const r = stripCasts(e.r);
    const [param, other] =
      l.t === 'id' && constants.has(l.n) ? [l.n, r] : r.t === 'id' && constants.has(r.n) ? [r.n, l] : [];
    if (param === undefined || other === undefined) return undefined;
    const v = integerValue(other, program, file);
    if (v === undefined) return undefined;
    return (constants.get(param) === v) === (e.op === '==');
  };
  /** The one case a `switch` on a parameter handed a constant goes to (its default where none matches). */
  const handedCase = (
    n: Extract<CfgNode, { t: 'sw' }>,
    constants: Map<string, bigint> | undefined,
    file: string,
  ): number | undefined => {
    const subject = stripCasts(n.c);
    const v = subject.t === 'id' ? constants?.get(subject.n) : undefined;
    if (v === undefined) return undefined;
    let to: number | undefined;
    for (const c of n.cases) {
      const label = integerValue(c.v, program, file);
      // A label it cannot read may be the one: every way stays open.
      if (label === undefined) return undefined;
      if (label === v && to === undefined) to = c.to;
    }
    return to ?? n.dflt;
  };
  const summarise = (h: FnDef, constants?: Map<string, bigint>): Op[] | 'unknown' =>
    h.fact.damaged
      ? 'unknown'
      : pathsThrough(
          h.body,
          h.file,
          (e) => eventsOf(h, e),
          constants,
          () => ({
            nonNull: lockHolders(h),
            stored: storedOnce(h),
          }),
        );

  const holders = new Map<FnDef, ReadonlySet<string>>();
  /**
   * The parameters a helper reaches the locks it takes or releases through (`NdisAcquireSpinLock(
   * &lock->spin_lock)`, or a local stored once, `spin_lock = &lock->spin_lock;`): its summary reads
   * them as not NULL. Where one is NULL there is no lock to balance, and the helper's guard (softether's
   * `NeoLock`: `if (lock == NULL) return;`) would otherwise make its paths differ, one taking the lock
   * and one not, and leave every caller not followed.
   */
  const lockHolders = (h: FnDef): ReadonlySet<string> => {
    let out = holders.get(h);
    if (out) return out;
    const params = new Set(h.params.map((q) => q.n));
    const stored = storedOnce(h);
    const rootOf = (e: Expr, depth: number): string | undefined => {
      const x = stripCasts(e);
      switch (x.t) {
        case 'id': {
          if (params.has(x.n)) return x.n;
          const value = stored.get(x.n);
          return value && depth < 4 ? rootOf(value, depth + 1) : undefined;
        }
        case 'un':
          return x.op === '&' || x.op === '*' ? rootOf(x.e, depth) : undefined;
        case 'fld':
        case 'idx':
          return rootOf(x.o, depth);
        default:
          return undefined;
      }
    };
    const found = new Set<string>();
    // A lock call, or a macro that makes one (its first argument taken as the lock's, as the lock
    // macros' is).
    const locksDirectly = (name: string): boolean =>
      apis.has(name) ||
      (program.macro(h.file, name) !== undefined && program.expandName(h.file, name).some((r) => apis.has(r.name)));
    walkExprs(h.body, (x) => {
      if (x.t !== 'call' || x.f.t !== 'id' || !x.a[0] || !locksDirectly(program.aliasOf(h.file, x.f.n))) return;
      const root = rootOf(x.a[0], 0);
      if (root !== undefined) found.add(root);
    });
    holders.set(h, (out = found));
    return out;
  };

  /**
   * The lock calls every path through a body makes, in order (a helper's, or a macro's put in at its
   * use): one sequence, a take and its release on one path cancelling out, paths that differ only in
   * the form of a call merged into calls of either form; 'unknown' when paths differ otherwise, a
   * call cannot be followed, or the walk runs past its steps.
   */
  const pathsThrough = (
    body: Stmt,
    file: string,
    eventsIn: (e: Expr) => Event[],
    constants?: Map<string, bigint>,
    /** Pointers the walk reads as not NULL (`lockHolders`), and the locals stored once it reads through. */
    nonNull?: () => NonNullFacts,
  ): Op[] | 'unknown' => {
    // First walked without remembering conditions (each test goes both ways every time): that walks
    // every real path and some that cannot run, in far fewer states. Where even those all make the
    // same lock calls, so do the real ones. Where they differ (a lock taken under a test and released
    // under the same test), walked again remembering each test, within the steps.
    const coarse = pathsWalked(body, file, eventsIn, false, constants, nonNull);
    if (coarse !== 'unknown' && coarse !== 'budget') return coarse;
    const exact = pathsWalked(body, file, eventsIn, true, constants, nonNull);
    return exact === 'budget' ? 'unknown' : exact;
  };

  const pathsWalked = (
    body: Stmt,
    file: string,
    eventsIn: (e: Expr) => Event[],
    remember: boolean,
    /** Parameters a call hands a constant (`constantsHanded`). */
    constants?: Map<string, bigint>,
    nonNullFacts?: () => NonNullFacts,
  ): Op[] | 'unknown' | 'budget' => {
    // Worked out at the first test neither a constant, a handed constant nor a flag decides.
    let nonNull: NonNullFacts | undefined;
    const cfg = buildCfg(body);
    const flags = flagLocals(body, program, file);
    const tested = remember ? testedValue((nonNull ??= nonNullFacts?.())?.stored, flags) : (c: Expr) => c;
    const textOf = (c: Expr) => condText(tested(c));
    const ifs = remember ? rememberedConditions(cfg, body, textOf, tested) : new Set<Expr>();
    const stale = staleDecisions(cfg, ifs, textOf, tested);
    const read = decisionsRead(cfg, ifs, textOf);
    const exits = new Map<string, Op[]>();
    /** Releases in the other form than their take, here or in the helpers called (`Op.mismatch`), by place. */
    const mismatches = new Map<string, Op>();
    const seen = new Set<string>();
    const todo: { at: number; seq: Op[]; decided: Map<string, boolean> }[] = [
      { at: cfg.entry, seq: [], decided: new Map() },
    ];
    let steps = 0;
    while (todo.length) {
      if (++steps > MAX_SUMMARY_STEPS) return 'budget';
      const { at, seq: before, decided: made } = defined(todo.pop(), 'step to walk');
      const known = stillRead(made, at, read);
      const key = `${String(at)}|${String(ids.of(before, seqKey))}|${String(ids.decided(known))}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const n = cfg.nodes[at];
      let seq = before;
      const exprs = nodeExprs(n);
      for (const e of exprs)
        for (const x of eventsIn(e)) {
          if (x === 'unknown') return 'unknown';
          if (x.mismatch) {
            mismatches.set(x.p.join(':'), x);
            continue;
          }
          const last = seq.at(-1);
          const pairs = last && last.acquire !== x.acquire && last.key === x.key;
          // A take released in the other form balances, and is a finding of this body (see `Op.mismatch`);
          // only on the walk that remembers its tests: the first, free one also walks paths that cannot run
          // (a Dpr take under `if (d)` and a plain release under a second `if (d)`).
          const mismatched =
            remember && pairs && last.acquire && last.dpr !== undefined && x.dpr !== undefined && last.dpr !== x.dpr;
          if (mismatched)
            mismatches.set(x.p.join(':'), {
              ...x,
              mismatch: { dpr: last.dpr, call: last.call, path: last.owner.file, p: last.p },
            });
          seq =
            // A take and its release cancel out; so does a release and a take again (a helper that
            // drops its caller's lock around a call): that can only hide a finding, never make one. A
            // call of either form pairs with either.
            pairs && (mismatched || last.dpr === x.dpr || last.dpr === undefined || x.dpr === undefined)
              ? seq.slice(0, -1)
              : [...seq, x];
          if (seq.length > MAX_SUMMARY_OPS) return 'unknown';
        }
      const decided = forget(
        setFlags(
          flagStores(n, exprs, flags, (f) => known.get(flagKey(f)), program, file),
          known,
        ),
        stale.get(at),
      );
      switch (n.t) {
        case 'exp':
        case 'decl':
        case 'jump':
        case 'nop':
          todo.push({ at: n.next, seq, decided });
          break;
        case 'br': {
          // `do { ... } while (0)` runs once, in a helper as in a callback.
          const test = testThroughMacros(program, file, n.c);
          const fixed =
            constantCondition(test, program, file) ??
            handedTruth(test, constants, file) ??
            flagTruth(test, flags, (f) => decided.get(flagKey(f)), program, file) ??
            ((nonNull ??= nonNullFacts?.())?.nonNull.size
              ? nonNullTruth(test, nonNull.nonNull, nonNull.stored)
              : undefined);
          if (fixed !== undefined) {
            todo.push({ at: fixed ? n.yes : n.no, seq, decided });
            break;
          }
          const text = ifs.has(n.c) ? textOf(n.c) : undefined;
          const was = text === undefined ? undefined : decided.get(text);
          for (const yes of [true, false])
            if (was === undefined || was === yes)
              todo.push({
                at: yes ? n.yes : n.no,
                seq,
                decided: text === undefined ? decided : ids.decide(decided, text, yes),
              });
          break;
        }
        case 'sw': {
          const only = handedCase(n, constants, file);
          if (only !== undefined) {
            todo.push({ at: only, seq, decided });
            break;
          }
          for (const c of n.cases) todo.push({ at: c.to, seq, decided });
          todo.push({ at: n.dflt, seq, decided });
          break;
        }
        case 'ret':
        case 'end':
          exits.set(seqKey(seq), seq);
          break;
      }
    }
    const seqs = [...exits.values()];
    // No exit at all (a `for (;;)` it never leaves): nothing to say of what it leaves held.
    if (seqs.length === 0) return 'unknown';
    const made = seqs.length === 1 ? seqs[0] : (eitherFormPaths(seqs) ?? 'unknown');
    return made === 'unknown' || mismatches.size === 0 ? made : [...mismatches.values(), ...made];
  };

  /**
   * The functions whose bodies the walk of `fn` reads: `fn`, and through every call that may reach a
   * lock, each function of that name (a helper's summary reads every definition of it), on down.
   */
  const bodiesRead = (fn: FnDef): FnDef[] => {
    const out = new Set<FnDef>([fn]);
    const todo = [fn];
    for (let f = todo.pop(); f; f = todo.pop()) {
      const bySite = new Map<string, FnDef[]>();
      for (const e of program.callees(f)) bySite.set(e.siteName, [...(bySite.get(e.siteName) ?? []), e.callee]);
      for (const targets of bySite.values()) {
        if (!targets.some((t) => lockers.has(t))) continue;
        for (const t of targets)
          if (!out.has(t)) {
            out.add(t);
            if (lockers.has(t)) todo.push(t);
          }
      }
    }
    return [...out];
  };

  for (const fn of program.functions) {
    const ev = program.rolesOf(fn).find((r) => r.role !== 'unknown');
    if (!ev || fn.fact.damaged || !lockers.has(fn)) continue;
    const reads = bodiesRead(fn);
    const key = memo?.key(fn, reads, ev);
    const known = key === undefined ? undefined : memo?.get(key);
    if (known) {
      drafts.push(...known.drafts);
      // Read (from the file's store of bodies) what the walk read: as the walk does, through its graph.
      for (const place of known.reads) {
        const f = byPlace.get(place);
        if (f) buildCfg(f.body);
      }
      continue;
    }
    const moved = key === undefined ? undefined : memo?.moved?.find(program, fn, reads, ev);
    if (moved) {
      const worded = moved.reports.map((r) => draftOf(fn, ev, r));
      drafts.push(...worded);
      // Read again what the walk read, unless it all read cleanly then (the same tokens read the same).
      const again = moved.clean ? [] : moved.walked;
      for (const f of again) buildCfg(f.body);
      if (key !== undefined) memo?.set(key, { drafts: worded, reads: again.map(placeOf) });
      continue;
    }
    const reports: LockReport[] = [];
    const direct = new Set<FnDef>();
    asked.push(direct);
    const followed = walkCallback(fn, reports) || walkBuilds(fn, reads, reports);
    asked.pop();
    if (walks) {
      walks.callbacks++;
      if (!followed) walks.notFollowed++;
    }
    const worded = reports.map((r) => draftOf(fn, ev, r));
    drafts.push(...worded);
    if (key !== undefined) {
      const walked = bodiesWalked(fn, direct);
      memo?.set(key, { drafts: worded, reads: damagedPlaces(walked) });
      memo?.moved?.keep(program, fn, reads, ev, reports, walked);
    }
  }
  return drafts;

  /**
   * A callback not followed because a macro it uses is defined per `#if` branch with different lock
   * calls (ndislwf's `FILTER_ACQUIRE_LOCK`: a debug build's audited helper taking `pLock->NdisLock`, a
   * release build's `NdisAcquireSpinLock(_pLock)`) is walked once per build. It is followed when every
   * build is; each build names its locks its own way, so a finding counts only where every build makes
   * it (same message at the same place), worded as the last build words it (the `#else` of a
   * `#if DBG`). Which build is compiled is not known: a finding of one build alone is not reported.
   * `reads`: the bodies the walk reads (`bodiesRead`). Adds the findings to `reports`; true when every
   * build was followed.
   */
  function walkBuilds(fn: FnDef, reads: FnDef[], reports: LockReport[]): boolean {
    const builds = Math.max(0, ...reads.map((f) => splitBy.get(f) ?? 0));
    if (builds < 2) return false;
    const perBuild: LockReport[][] = [];
    let followed = true;
    for (let b = 0; b < Math.min(builds, MAX_BUILDS); b++) {
      chooseBuild(b);
      const found: LockReport[] = [];
      if (!walkCallback(fn, found)) followed = false;
      perBuild.push(found);
    }
    chooseBuild(undefined);
    const at = (r: LockReport) => `${r.messageId}|${r.at.owner.file}|${r.at.p.join(':')}`;
    const inEvery = perBuild.slice(0, -1).map((found) => new Set(found.map(at)));
    const known = new Set(reports.map(at));
    for (const r of perBuild.at(-1) ?? [])
      if (!known.has(at(r)) && inEvery.every((set) => set.has(at(r)))) reports.push(r);
    return followed && builds <= MAX_BUILDS;
  }

  /** A report worded as a finding of the callback `fn`, which has the role `ev`. */
  function draftOf(fn: FnDef, ev: RoleEvidence, r: LockReport): Draft {
    const { messageId, at, key, data, extra, taken } = r;
    return {
      rule: rule.id,
      severity: rule.severity,
      path: at.owner.file,
      ...span(at.p),
      message: formatMessage(rule, messageId, {
        fn: fn.name,
        callback: roleLabel(pack, ev.role),
        lock: displayKey(key),
        advice: rule.advice,
        ...(taken ? { taken: `${taken.path}:${String(taken.p[0])}`, acquireCall: taken.call } : {}),
        ...data,
      }),
      messageId,
      trace: [
        { path: ev.path, line: ev.line, message: `${fn.name} is ${roleLabel(pack, ev.role)}: ${evidenceText(ev)}` },
        ...(taken
          ? [{ path: taken.path, line: taken.p[0], message: `${taken.call} takes ${displayKey(key)} here` }]
          : []),
        { path: at.owner.file, line: at.p[0], message: extra },
      ],
      docs: rule.docs,
      identity: [rule.id, fn.file, fn.name, key, messageId],
    };
  }

  /**
   * Walks one callback's paths, adding what it finds to `reports` (worded by `draftOf`); true when
   * every path and every lock was followed.
   */
  function walkCallback(fn: FnDef, reports: LockReport[]): boolean {
    const nodeEvents = (n: CfgNode): Event[] => nodeExprs(n).flatMap((e) => eventsOf(fn, e));

    // A lock named two ways in this callback (two objects of one type) is not followed.
    const namings = new Map<string, Set<string>>();
    const cfg = buildCfg(fn.body);
    const withEvents = new Uint8Array(cfg.nodes.length);
    cfg.nodes.forEach((n, i) => {
      const events = nodeEvents(n);
      if (events.length) withEvents[i] = 1;
      for (const x of events)
        if (x !== 'unknown' && x.owner === fn) {
          const set = namings.get(x.key) ?? new Set<string>();
          set.add(x.text);
          namings.set(x.key, set);
        }
    });
    // Where no lock call (nor one not followed) lies ahead, a path holding nothing has nothing
    // left to report: it is not walked on (every combination of a request handler's checks after
    // its last lock call went on to its returns as states of their own).
    const eventsAhead = nodesReaching(predecessors(cfg), withEvents);
    const ambiguous = new Set([...namings].filter(([, t]) => t.size > 1).map(([k]) => k));
    const nonNull = givenByNdis(fn);
    const stored = storedOnce(fn);
    const flags = flagLocals(fn.body, program, fn.file);
    const tested = testedValue(stored, flags);
    const textOf = (c: Expr) => condText(tested(c));
    const ifConditions = rememberedConditions(cfg, fn.body, textOf, tested);
    const stale = staleDecisions(cfg, ifConditions, textOf, tested);
    const read = decisionsRead(cfg, ifConditions, textOf);

    const report = (
      messageId: string,
      at: { p: Pos; owner: FnDef },
      key: string,
      data: Record<string, string>,
      extra: string,
      taken?: Held,
    ) => {
      reports.push({
        messageId,
        at: { p: at.p, owner: at.owner, ...(at.p === closing ? { atEnd: true } : {}) },
        key,
        data,
        extra,
        ...(taken ? { taken } : {}),
      });
    };
    const reported = new Set<string>();
    const once = (k: string) => {
      if (reported.has(k)) return false;
      reported.add(k);
      return true;
    };

    /** Applies a node's lock events to a path state; undefined when the path cannot be followed. */
    const apply = (exprs: Expr[], s: PathState): PathState | undefined => {
      let out = s;
      for (const e of exprs)
        for (const x of eventsOf(fn, e)) {
          if (x === 'unknown') return undefined;
          if (x.mismatch) {
            if (once(`d|${x.p.join(':')}`))
              report(
                'dprMismatch',
                x,
                x.key,
                { call: x.call },
                `${x.call} releases what ${x.mismatch.call} took`,
                x.mismatch,
              );
            continue;
          }
          if (ambiguous.has(x.key) || out.dropped.has(x.key)) continue;
          if (out === s) out = { held: new Map(s.held), dropped: new Set(s.dropped), decided: s.decided };
          const held = out.held.get(x.key);
          if (x.acquire) {
            if (held) {
              if (once(`a|${x.p.join(':')}`))
                report('acquireHeld', x, x.key, { call: x.call }, `${x.call} takes ${displayKey(x.key)} again`, held);
              out.held.delete(x.key);
              out.dropped.add(x.key);
            } else out.held.set(x.key, { dpr: x.dpr, call: x.call, path: x.owner.file, p: x.p });
          } else if (!held) {
            if (once(`r|${x.p.join(':')}`))
              report(
                'releaseNotHeld',
                x,
                x.key,
                { call: x.call },
                `${x.call} releases ${displayKey(x.key)}, not held on this path`,
              );
            out.dropped.add(x.key);
          } else {
            const differ = held.dpr !== undefined && x.dpr !== undefined && held.dpr !== x.dpr;
            if (differ && once(`d|${x.p.join(':')}`))
              report('dprMismatch', x, x.key, { call: x.call }, `${x.call} releases what ${held.call} took`, held);
            out.held.delete(x.key);
          }
        }
      return out;
    };
    const leaving = (s: PathState, p: Pos) => {
      for (const [key, h] of s.held)
        if (once(`h|${key}|${p.join(':')}`))
          report('heldAtReturn', { p, owner: fn }, key, {}, `${fn.name} returns with ${displayKey(key)} held`, h);
    };

    const closing: Pos = [fn.fact.endLine, 1, fn.fact.endLine, 2];
    const seen = new Set<string>();
    const todo: { at: number; s: PathState }[] = [
      { at: cfg.entry, s: { held: new Map(), dropped: new Set(), decided: new Map() } },
    ];
    let steps = 0;
    let followed = ambiguous.size === 0;
    while (todo.length && steps++ < MAX_STEPS) {
      const { at, s: arrived } = defined(todo.pop(), 'step to walk');
      if (!eventsAhead[at] && arrived.held.size === 0) continue;
      const live = stillRead(arrived.decided, at, read);
      const before = live === arrived.decided ? arrived : { ...arrived, decided: live };
      const key = `${String(at)}|${String(ids.of(before.held, heldKey))}|${String(ids.of(before.dropped, droppedKey))}|${String(ids.decided(before.decided))}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const n = cfg.nodes[at];
      const exprs = nodeExprs(n);
      const applied = apply(exprs, before);
      if (!applied) {
        followed = false;
        continue;
      }
      const stores = flagStores(n, exprs, flags, (f) => applied.decided.get(flagKey(f)), program, fn.file);
      const flagged = stores.length ? { ...applied, decided: setFlags(stores, applied.decided) } : applied;
      const fresh = forget(flagged.decided, stale.get(at));
      const s = fresh === flagged.decided ? flagged : { ...flagged, decided: fresh };
      switch (n.t) {
        case 'exp':
        case 'decl':
        case 'jump':
        case 'nop':
          todo.push({ at: n.next, s });
          break;
        case 'br': {
          // `do { ... } while (FALSE)` runs once: a constant condition goes one way only; so does a NULL
          // test of a pointer NDIS never passes as NULL (the adapter context).
          const test = testThroughMacros(program, fn.file, n.c);
          const fixed =
            constantCondition(test, program, fn.file) ??
            nonNullTruth(test, nonNull, stored) ??
            flagTruth(test, flags, (f) => s.decided.get(flagKey(f)), program, fn.file);
          if (fixed !== undefined) {
            todo.push({ at: fixed ? n.yes : n.no, s });
            break;
          }
          const text = ifConditions.has(n.c) ? textOf(n.c) : undefined;
          const known = text === undefined ? undefined : s.decided.get(text);
          const go = (yes: boolean) => {
            const decided = text === undefined ? s.decided : ids.decide(s.decided, text, yes);
            todo.push({ at: yes ? n.yes : n.no, s: { ...s, decided } });
          };
          if (known !== false) go(true);
          if (known !== true) go(false);
          break;
        }
        case 'sw':
          for (const c of n.cases) todo.push({ at: c.to, s });
          todo.push({ at: n.dflt, s });
          break;
        case 'ret':
          leaving(s, n.p);
          break;
        case 'end':
          leaving(s, closing);
          break;
      }
    }
    return followed && todo.length === 0;
  }
}

/**
 * The `if` conditions of a body whose decision a path must remember: those a later `if` on the same
 * text can read, because two `if`s of the body test it or its one `if` lies on a cycle (a loop, a
 * backward `goto`) that comes back to it. A decision nothing reads again only tells apart paths that
 * go on alike; not remembered, they are one state (a callback's `if (Debug) Print(...)` ladder was
 * one state per combination).
 *
 * An `if` remembered only for its cycle is not remembered where the cycle stores into a variable its
 * condition reads: the next time round it tests a new value (imx27-fec's interrupt handler reads the
 * event register into `InterruptEvent` at the head of its loop and tests nine bits of it, once each),
 * so the way it went before says nothing of the way it goes now. Remembered, each combination of
 * those bits was a state of its own: that walk took 18,424 of its 20,000 steps, and the tbatm155
 * drivers' handler, with a dozen tests of its status in its loop, ran out of them.
 */
export function rememberedConditions(
  cfg: Cfg,
  body: Stmt,
  text: (c: Expr) => string,
  /** What a condition tests (`testedValue`): the names it reads are those of that. */
  tested: (c: Expr) => Expr = (c) => c,
): Set<Expr> {
  const ifs = new Set<Expr>();
  collectIfs(body, ifs);
  const count = new Map<string, number>();
  for (const c of ifs) count.set(text(c), (count.get(text(c)) ?? 0) + 1);
  const parts = cycleParts(cfg);
  let written: Map<number, Set<string>> | undefined;
  const out = new Set<Expr>();
  cfg.nodes.forEach((n, i) => {
    if (n.t !== 'br' || !ifs.has(n.c)) return;
    if ((count.get(text(n.c)) ?? 0) > 1) out.add(n.c);
    else if (parts[i] >= 0 && !readsAny(tested(n.c), (written ??= storedOnCycles(cfg, parts)).get(parts[i])))
      out.add(n.c);
  });
  return out;
}

/** Per cycle (`cycleParts`), the variables its nodes store into (`storedBy`). */
function storedOnCycles(cfg: Cfg, parts: Int32Array): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  storedByNode(cfg).forEach((stored, i) => {
    if (parts[i] < 0) return;
    let names = out.get(parts[i]);
    if (!names) out.set(parts[i], (names = new Set<string>()));
    for (const v of stored) names.add(v);
  });
  return out;
}

const storedByCfg = new WeakMap<Cfg, readonly ReadonlySet<string>[]>();

/** `storedBy` of each node of a graph, worked out once per graph (walked per build, per summary). */
function storedByNode(cfg: Cfg): readonly ReadonlySet<string>[] {
  let hit = storedByCfg.get(cfg);
  if (!hit) storedByCfg.set(cfg, (hit = cfg.nodes.map(storedBy)));
  return hit;
}

/**
 * The variables a node stores into by name: assigned, stepped (`i++`), declared, or handed by
 * address (`&Status`) to what may store into them. A store through a pointer or into a field is not
 * one: what the pointer or the struct is stays as it was.
 */
function storedBy(n: CfgNode): Set<string> {
  const out = new Set<string>();
  if (n.t === 'decl') for (const d of n.d) out.add(d.n);
  for (const e of nodeExprs(n))
    walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
      if (x.t === 'asg' && x.l.t === 'id') out.add(x.l.n);
      else if ((x.t === 'post' || (x.t === 'un' && (x.op === '++' || x.op === '--' || x.op === '&'))) && x.e.t === 'id')
        out.add(x.e.n);
    });
  return out;
}

/**
 * Per node, the remembered conditions (by text) whose decision it makes stale: it stores into a
 * variable the condition names (`storedBy`), so a later `if` on that text tests a new value and may
 * go the other way (a loop's `Packet = Packet->Next`, a status read again). The walks forget those
 * decisions there, and paths that differed only in them are one again.
 */
export function staleDecisions(
  cfg: Cfg,
  remembered: ReadonlySet<Expr>,
  text: (c: Expr) => string,
  /** What a condition tests (`testedValue`): the names it reads are those of that. */
  tested: (c: Expr) => Expr = (c) => c,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (!remembered.size) return out;
  // The texts by the names their conditions read: a store looks up its names, not every condition.
  const byName = new Map<string, Set<string>>();
  for (const c of remembered)
    walkExprs({ k: 'exp', e: tested(c), p: [0, 0, 0, 0] }, (x) => {
      if (x.t !== 'id') return;
      let texts = byName.get(x.n);
      if (!texts) byName.set(x.n, (texts = new Set<string>()));
      texts.add(text(c));
    });
  const stored = storedByNode(cfg);
  cfg.nodes.forEach((_, i) => {
    const stale = new Set<string>();
    for (const name of stored[i]) for (const t of byName.get(name) ?? []) stale.add(t);
    if (stale.size) out.set(i, [...stale]);
  });
  return out;
}

/**
 * Per remembered condition's text, the nodes a path may still test it from: its `if`s and every node
 * from which one of them can be reached. Past them the decision is never read again, so a path
 * forgets it (`stillRead`) and paths that differed only in it are one: that changes nothing a walk
 * finds (a callback testing each of several flags twice in a row kept every combination of them
 * apart to its end).
 */
export function decisionsRead(
  cfg: Cfg,
  remembered: ReadonlySet<Expr>,
  text: (c: Expr) => string,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!remembered.size) return out;
  const tests = new Map<string, Uint8Array>();
  cfg.nodes.forEach((n, i) => {
    if (n.t !== 'br' || !remembered.has(n.c)) return;
    const t = text(n.c);
    let at = tests.get(t);
    if (!at) tests.set(t, (at = new Uint8Array(cfg.nodes.length)));
    at[i] = 1;
  });
  // One pass over the graph per text: past a bound (thousands of distinct texts in a body of
  // thousands of nodes, a generated one) none is forgotten, which only keeps more states apart.
  if (tests.size * cfg.nodes.length > MAX_LIVENESS_WORK) return out;
  const preds = predecessors(cfg);
  for (const [t, at] of tests) out.set(t, nodesReaching(preds, at));
  return out;
}

/** Texts times nodes `decisionsRead` reads at most: the corpus's largest body asks 4,669 (wds-wdi-rtwlan). */
const MAX_LIVENESS_WORK = 4_000_000;

/** `decided` at node `at` without the decisions no test from there reads (`decisionsRead`). */
function stillRead(decided: Map<string, boolean>, at: number, read: Map<string, Uint8Array>): Map<string, boolean> {
  let out: Map<string, boolean> | undefined;
  for (const t of decided.keys()) {
    const r = read.get(t);
    if (r && !r[at]) (out ??= new Map(decided)).delete(t);
  }
  return out ?? decided;
}

/**
 * What an `if` on a local tests: the test stored in it, where the local is stored once and is not a
 * flag (`BOOLEAN ok = !!(Status == NDIS_STATUS_SUCCESS); if (ok) ...`), so two such locals stored
 * with one test are one condition to the walks, as two `if`s on that test are; else the condition.
 */
export function testedValue(stored: ReadonlyMap<string, Expr> | undefined, flags: Flags): (c: Expr) => Expr {
  if (!stored?.size) return (c) => c;
  return (c) => {
    let x = c;
    for (let depth = 0; depth < 4; depth++) {
      const bare = notNot(stripCasts(x));
      const held = bare.t === 'id' && !flags.all.has(bare.n) ? stored.get(bare.n) : undefined;
      if (!held) return depth === 0 ? c : bare;
      x = held;
    }
    return x;
  };
}

/** `e` without a `!!` (a truth written as 0 or 1) around it. */
function notNot(e: Expr): Expr {
  let x = e;
  while (x.t === 'un' && x.op === '!' && x.e.t === 'un' && x.e.op === '!') x = stripCasts(x.e.e);
  return x;
}

/** `decided` without the decisions on these texts (itself where it has none of them). */
function forget(decided: Map<string, boolean>, texts: readonly string[] | undefined): Map<string, boolean> {
  if (!texts?.some((t) => decided.has(t))) return decided;
  const out = new Map(decided);
  for (const t of texts) out.delete(t);
  return out;
}

/** Does `c` name one of `names`? */
function readsAny(c: Expr, names: ReadonlySet<string> | undefined): boolean {
  if (!names?.size) return false;
  let hit = false;
  walkExprs({ k: 'exp', e: c, p: [0, 0, 0, 0] }, (x) => {
    if (x.t === 'id' && names.has(x.n)) hit = true;
  });
  return hit;
}

function collectIfs(s: Stmt | undefined, out: Set<Expr>): void {
  if (!s) return;
  switch (s.k) {
    case 'blk':
      for (const x of s.b) collectIfs(x, out);
      break;
    case 'if':
      out.add(s.c);
      collectIfs(s.t, out);
      collectIfs(s.f, out);
      break;
    case 'while':
    case 'do':
    case 'sw':
      collectIfs(s.b, out);
      break;
    case 'for':
      collectIfs(s.b, out);
      break;
    default:
      break;
  }
}

/** The lock calls of a sequence, where they are aside: which locks, taken or released, in which form. */
function lockCalls(seq: Op[]): string {
  return seq
    .filter((o) => !o.mismatch)
    .map((o) => `${o.acquire ? '+' : '-'}${formKey(o.dpr)}${o.key}`)
    .join(',');
}

function seqKey(seq: Op[]): string {
  return seq.map((o) => `${o.acquire ? '+' : '-'}${formKey(o.dpr)}${o.key}@${o.owner.file}:${o.p.join(':')}`).join(',');
}

function heldKey(held: Map<string, Held>): string {
  return [...held].map(([k, h]) => `${k}:${formKey(h.dpr)}:${h.path}:${String(h.p[0])}`).join(',');
}

/** The form of a lock call in a key: `d` for Dpr, `?` for either (see `Op.dpr`). */
function formKey(dpr: boolean | undefined): string {
  return dpr === undefined ? '?' : dpr ? 'd' : '';
}

/**
 * `if (c) A; else B;` (in a block or `do { } while (0)`), where A and B are the two lock events `a` and
 * `b`, each the one call of its branch, of one lock in one direction and the two forms: the event of
 * either form. Anything else (two calls in a row, one branch with both) is undefined.
 */
function eitherForm(body: Stmt, a: Event, b: Event): Op | undefined {
  if (a === 'unknown' || b === 'unknown') return undefined;
  if (a.acquire !== b.acquire || a.key !== b.key || a.dpr === b.dpr) return undefined;
  let s: Stmt = body;
  for (;;) {
    // A macro's body is read as a block; the `;` after its braces is an empty statement.
    const inner = s.k === 'blk' ? s.b.filter((x) => x.k !== 'nop') : undefined;
    if (inner?.length === 1) s = inner[0];
    else if (s.k === 'do') s = s.b;
    else break;
  }
  if (s.k !== 'if' || !s.f || !oneCall(s.t) || !oneCall(s.f)) return undefined;
  return { ...a, dpr: undefined };
}

/**
 * A helper whose paths make the same lock calls but for their form (`if (DispatchLevel)
 * NdisDprAcquireSpinLock(&A->Lock); else NdisAcquireSpinLock(&A->Lock);`, tap-windows6's
 * `tapAdapterAcquireLock`): one sequence, each call of either form where the paths differ (as a
 * macro that chooses the form reads, `eitherForm`), placed at the first path's call. Undefined
 * where the paths differ otherwise.
 */
function eitherFormPaths(seqs: Op[][]): Op[] | undefined {
  const [first, ...rest] = seqs;
  if (rest.some((q) => q.length !== first.length)) return undefined;
  const out: Op[] = [];
  for (const [i, a] of first.entries()) {
    if (rest.some((q) => q[i].acquire !== a.acquire || q[i].key !== a.key)) return undefined;
    out.push(rest.every((q) => q[i].dpr === a.dpr) ? a : { ...a, dpr: undefined });
  }
  return out;
}

/**
 * A macro body whose every path ends by falling out of it: no `return`, `goto`, label, `switch`, or
 * `break`/`continue` outside a loop of its own (which would leave the function or loop it is used in).
 */
function staysInside(body: Stmt): boolean {
  const visit = (s: Stmt | undefined, inLoop: boolean): boolean => {
    if (!s) return true;
    switch (s.k) {
      case 'blk':
        return s.b.every((x) => visit(x, inLoop));
      case 'if':
        return visit(s.t, inLoop) && visit(s.f, inLoop);
      case 'while':
      case 'do':
      case 'for':
        return visit(s.b, true);
      case 'brk':
      case 'cont':
        return inLoop;
      case 'ret':
      case 'goto':
      case 'lbl':
      case 'sw':
      case 'case':
        return false;
      default:
        return true;
    }
  };
  return visit(body, false);
}

/** A branch that is one call statement (`{ F(x); }` or `F(x);`). */
function oneCall(s: Stmt): boolean {
  const inner = s.k === 'blk' && s.b.length === 1 ? s.b[0] : s;
  return inner.k === 'exp' && inner.e.t === 'call';
}

function droppedKey(dropped: Set<string>): string {
  return [...dropped].join(',');
}

/**
 * Numbers for the parts of path states: equal texts, equal numbers. A part
 * (a map of held locks, a sequence of lock calls) is never changed once a
 * path carries it, so its number is worked out once per object.
 */
class Interner {
  private readonly byText = new Map<string, number>();
  private readonly byObject = new WeakMap<object, number>();
  /** Numbers of decided-condition sequences, by the number before and the condition added. */
  private readonly chains = new Map<string, number>();

  of<T extends object>(x: T, text: (x: T) => string): number {
    let id = this.byObject.get(x);
    if (id === undefined) {
      const t = text(x);
      id = this.byText.get(t);
      if (id === undefined) this.byText.set(t, (id = this.byText.size));
      this.byObject.set(x, id);
    }
    return id;
  }

  /**
   * The number of the conditions a path decided, in the order it decided them: -1 for none, else
   * from the number of the ones before the last and the last (worked out along the path).
   */
  decided(d: Map<string, boolean>): number {
    let id = this.byObject.get(d);
    if (id === undefined) {
      id = -1;
      for (const [k, v] of d) id = this.after(id, k, v);
      this.byObject.set(d, id);
    }
    return id;
  }

  /** `d` with one more condition decided: a new map, numbered from `d`'s number. */
  decide(d: Map<string, boolean>, text: string, yes: boolean): Map<string, boolean> {
    const id = this.decided(d);
    const next = new Map(d).set(text, yes);
    // Deciding again what the path already decided (the same way) changes nothing.
    const was = d.get(text);
    if (was === undefined) this.byObject.set(next, this.after(id, text, yes));
    else if (was === yes) this.byObject.set(next, id);
    return next;
  }

  private after(id: number, text: string, yes: boolean): number {
    const t = `${String(id)}|${text}=${String(yes ? 1 : 0)}`;
    let next = this.chains.get(t);
    if (next === undefined) this.chains.set(t, (next = this.chains.size));
    return next;
  }
}

/** Pointers a helper's summary reads as not NULL, and its locals stored once (`nonNullTruth`). */
interface NonNullFacts {
  nonNull: ReadonlySet<string>;
  stored: ReadonlyMap<string, Expr>;
}

/** Where a path's decisions keep what a flag holds: a text no condition has. */
function flagKey(flag: string): string {
  return `\u0000${flag}`;
}

/**
 * How a lock call names its lock, as the callback's one-name check compares it: `(*p).Lock` is
 * `p->Lock` (a macro written one way beside a call written the other names one lock, not two).
 */
function lockText(e: Expr): string {
  const arrows = (x: Expr): Expr => {
    switch (x.t) {
      case 'fld': {
        const base = x.ar ? undefined : arrowBase(x);
        return base ? { ...x, o: arrows(base), ar: true } : { ...x, o: arrows(x.o) };
      }
      case 'un':
        return { ...x, e: arrows(x.e) };
      case 'idx':
        return { ...x, o: arrows(x.o) };
      default:
        return x;
    }
  };
  return exprText(arrows(e));
}
