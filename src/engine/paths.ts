/**
 * Path analysis of the initialize callback for acquire/release pairing.
 *
 * Walks every path through initialize, stepping into the helpers that
 * acquire or release (so a helper's NULL test sees the caller's state),
 * and tracks what the code tests: a status is zero (success) or not, a
 * pointer is NULL or not. A mapping is held only where its status was
 * success; where it failed its address is NULL. At each exit it records
 * which mappings are still held and whether initialize is failing.
 */
import type { Expr, Pos, Stmt } from './ast.js';
import { buildCfg, type Cfg } from './cfg.js';
import { MAX_NESTING, exprText } from './extract.js';
import { KeyMaker, sameResource, stripCasts, type TypeEnv } from './keys.js';
import { MAX_MACRO_NESTING, exprDeeperThan, expandUse } from './macros.js';
import { walkExprs, type FnDef, type Program } from './program.js';
import { functionEnv } from './sites.js';
import type { ResourceDef } from './rulepack.js';
import { constantTruth, integerValue, isDeviceWait } from './values.js';
import {
  SeenStates,
  clone,
  decidedAt,
  isFieldKey,
  newState,
  siteId,
  stateHash,
  type AcquireSite,
  type Birth,
  type Event,
  type Group,
  type Origin,
  type State,
  type Val,
} from './pathstate.js';
import { rememberedByString } from '../util/memo.js';
import { defined } from '../util/defined.js';

export { siteId, type AcquireSite } from './pathstate.js';

/** The exact integer of a value, when known. */
function exact(v: Val): bigint | undefined {
  if (v.k === 'Z') return 0n;
  if (v.k === 'NZ') return v.n;
  return undefined;
}

export interface Leak {
  site: AcquireSite;
  names: string[];
  /** The first jump from which initialize can only fail, and the step of the path it happened at. */
  jump: { file: string; fn: string; p: Pos; kind: string; step: number };
  decided?: Origin;
  /** The last either-way condition before the jump, when it is not what decided the failure. */
  fork?: Origin;
  /** Where the path learned that the acquire call succeeded (its status tested), when it did. */
  success?: Origin;
  /** Loops the path went round again between the acquisition and the jump, oldest first. */
  loops: { file: string; p: Pos; at: number }[];
  exit: { file: string; p: Pos };
}

export interface Kept {
  site: AcquireSite;
  names: string[];
  /** The return through which initialize succeeds with it mapped. */
  exit?: { file: string; p: Pos };
}

export interface InitAnalysis {
  leaks: Leak[];
  kept: Kept[];
  /** Every acquire the walk met, with all names it was stored under. */
  sites: Map<string, { site: AcquireSite; names: Set<string> }>;
  complete: boolean;
  /** Leaking paths not reported because a call through a pointer on them may release the mapping. */
  withheld: { site: AcquireSite; jump: { file: string; p: Pos } }[];
  /** Functions on the walk whose text did not parse cleanly: their paths cannot be trusted. */
  damaged: { name: string; file: string; line: number }[];
  unresolvedCalls: number;
  /** Gotos and returns (`file:line:col`) some path that does not end in failure goes through. */
  notOnlyFailing: Set<string>;
}

/** What a walk of halt (or another releasing callback) found. */
export interface RoleAnalysis {
  /** Held mappings (by site id) that some allowed path releases. */
  released: Set<string>;
  /** Not released, but a call through an unknown pointer on the way may have released them. */
  mayRelease: Set<string>;
  complete: boolean;
  damaged: { name: string; file: string; line: number }[];
}

/** Steps one analysis may take; past it, a `budget` notice withholds the decision. */
const MAX_STEPS = 500_000;
/** Declared types of the driver's own yes/no bookkeeping, which no device writes. */
const BOOLEAN_TYPE = /^(?:BOOLEAN|BOOL|bool|_Bool)$/;
/**
 * Distinct states one join point explores in full; past this, arrivals that
 * agree on what is mapped are merged. Merging can only drop a path (a miss),
 * never invent a leak.
 */
const JOIN_WIDTH = 8;
/** Suffix of the name and id under which an array keeps an earlier element still held (see `acquire`). */
const EARLIER = '~earlier';

/** Held for sure on this path: acquired without a status, or its status was seen to be success. */
/** The group a resource key names: every group id in `res` has its group. */
function groupOf(s: State, gid: string): Group {
  return defined(s.groups.get(gid), `group ${gid}`);
}

function stillHeld(g: Group, s: State): boolean {
  return g.st === 'held' || (g.st === 'cond' && g.sym !== undefined && s.cons.get(g.sym)?.z === true);
}
const MAX_DEPTH = 8;

const byKey = <V>(a: [string, V], b: [string, V]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** What is mapped, and on which statuses: the part of a state the findings depend on. */
function hashResources(s: State): string {
  let h = '';
  for (const [k, g] of [...s.res].sort(byKey)) h += `${k}>${g},`;
  h += '|';
  for (const [k, g] of [...s.groups].sort(byKey)) {
    const c = g.sym ? s.cons.get(g.sym) : undefined;
    h += `${k}:${g.st}${c ? (c.z ? 'z' : 'n') : ''},`;
  }
  return h;
}

/** Storage a function returns (`return Status;`): paths merged at a join must agree on its value. */
function returnedStorage(cfg: Cfg): Expr[] {
  const out: Expr[] = [];
  const seen = new Set<string>();
  for (const n of cfg.nodes)
    if (n.t === 'ret' && n.e) {
      const e = stripCasts(n.e);
      const text = exprText(e);
      if ((e.t === 'id' || e.t === 'fld') && !seen.has(text)) {
        seen.add(text);
        out.push(e);
      }
    }
  return out;
}

/** What a state knows of one storage's value: enough to tell a success from a failure. */
function valueSig(s: State, k: string | undefined): string {
  if (!k) return '?';
  const v = s.vals.get(k);
  if (!v) return s.res.has(k) ? `r${String(s.res.get(k))}` : '-';
  if (v.k === 'sym') {
    const id = v.id.startsWith('!') ? v.id.slice(1) : v.id;
    const c = s.cons.get(id);
    return c ? (c.z !== v.id.startsWith('!') ? 'Z' : `N${decisionKey(c.o)}`) : 'u';
  }
  return v.k === 'NZ' ? `N${v.n ?? ''}${v.o ? decisionKey(v.o) : ''}` : v.k === 'Z' ? 'Z' : 'T';
}

/**
 * Where a failure was decided: a leak is reported at the first jump after it, so two failing paths
 * decided in different places (two helpers' calls, tested by one `if` of the caller) stay apart.
 */
function decisionKey(o: Origin): string {
  const d = o.decided ? `<${o.decided.file}:${o.decided.p[0]}:${o.decided.p[1]}` : '';
  return `@${o.file}:${o.p[0]}:${o.p[1]}${d}`;
}

export class PathAnalyzer {
  private readonly keys: KeyMaker;
  /** Counts the splits conditions make (see `State.split`). */
  private splits = 0;
  /** Splits on something no call decided (storage, a helper's several outcomes): the branch itself decides. */
  private openSplits = 0;
  private steps = 0;
  private frameCounter = 0;
  private complete = true;
  private unresolved = 0;
  private readonly sites = new Map<string, { site: AcquireSite; names: Set<string> }>();
  private damaged: FnDef[] = [];
  /** How often each name is read by a condition or return of the functions walked. */
  private tested = new Map<string, number>();
  /** `isRetested` by key, for the current `tested`. */
  private retested = new Map<string, boolean>();
  /** Names the functions walked assign with `=`. */
  private assigned = new Set<string>();
  /** Keys whose last field is declared BOOLEAN (see `forgetDeviceMemory`). */
  private readonly booleanFields = new Map<string, boolean>();

  constructor(
    private readonly program: Program,
    private readonly resource: ResourceDef,
    /** Functions worth stepping into: they reach the acquire or release call. */
    private readonly relevant: Set<FnDef>,
    /** Some function whose address is taken can reach the release: a call through an unknown pointer may release. */
    private readonly indirectMayRelease = true,
    /** Distinct states a join point explores in full before merging (tests set it low to exercise merging). */
    private readonly joinWidth = JOIN_WIDTH,
    /**
     * The pack's other resources whose acquire returns a status and writes a handle: not tracked here,
     * but their handle is non-NULL exactly where their status is success (`if (a->IoBase != NULL)`
     * guarding a free after the port registration succeeded).
     */
    others: ResourceDef[] = [],
  ) {
    this.keys = new KeyMaker(program);
    for (const o of others)
      if (o.name !== resource.name && o.acquire.result === 'status' && o.acquire.handleIsOut)
        this.correlated.set(o.acquire.call, o);
  }

  private readonly correlated = new Map<string, ResourceDef>();

  /** Keys of expressions by invocation (an invocation's variables change only at its declarations). */
  private readonly keyCache = new WeakMap<TypeEnv, Map<Expr, string | undefined>>();

  /** The key of an lvalue (`KeyMaker.key`), remembered per invocation and expression. */
  private key(e: Expr, env: TypeEnv): string | undefined {
    const m = this.keyCache.get(env);
    if (!m) return this.keys.key(e, env);
    let k = m.get(e);
    if (k === undefined && !m.has(e)) {
      k = this.keys.key(e, env);
      m.set(e, k);
    }
    return k;
  }

  /** The walk's facts about names (see `testedNames`, `assignedNames`), the same for every resource. */
  private nameFacts(root: FnDef): void {
    let hit = nameFactsCache.get(root);
    if (!hit) {
      const walk = this.walkable(root);
      hit = { tested: testedNames(walk), assigned: assignedNames(walk) };
      nameFactsCache.set(root, hit);
    }
    this.tested = hit.tested;
    this.assigned = hit.assigned;
    this.retested = new Map();
  }

  /**
   * Walks a callback (halt) that starts with these mappings held and tells,
   * for each, whether some path the code allows releases it. The callback's
   * own flags and tests count: a release skipped on every path is no release.
   */
  analyzeRole(root: FnDef, held: { id: string; site: AcquireSite; names: string[] }[]): RoleAnalysis {
    this.steps = 0;
    this.complete = true;
    this.unresolved = 0;
    this.damaged = root.fact.damaged ? [root] : [];
    this.nameFacts(root);
    const start = newState();
    // Acquisitions stored under a shared name (the same field mapped by two builds of one helper)
    // are one storage in halt: one group stands for all of them.
    const groupOf = new Map<string, string>();
    for (const h of held) {
      const shared = h.names.map((n) => start.res.get(n)).find((g) => g !== undefined);
      const gid = shared ?? h.id;
      groupOf.set(h.id, gid);
      if (!shared) start.groups.set(gid, { st: 'held', site: h.site, acqStep: 0, frames: [] });
      for (const n of h.names) if (!start.res.has(n)) start.res.set(n, gid);
    }
    const released = new Set<string>();
    const mayRelease = new Set<string>();
    let exits: { state: State; ret: Val; retP?: Pos; retRes?: string }[] = [];
    try {
      exits = this.run(root, start, [], 0, [root]);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.complete = false;
    }
    for (const { state } of exits)
      for (const h of held) {
        const g = state.groups.get(groupOf.get(h.id) ?? h.id);
        if (g && (g.st === 'released' || g.st === 'null')) released.add(h.id);
        else if (g?.behindPointer) mayRelease.add(h.id);
      }
    return {
      released,
      mayRelease,
      complete: this.complete,
      damaged: this.damaged.map((d) => ({ name: d.name, file: d.file, line: d.fact.p[0] })),
    };
  }

  analyzeInit(init: FnDef): InitAnalysis {
    this.steps = 0;
    this.complete = true;
    this.unresolved = 0;
    this.sites.clear();
    this.damaged = init.fact.damaged ? [init] : [];
    this.nameFacts(init);
    const start = newState();
    const leaks: Leak[] = [];
    const kept: Kept[] = [];
    const withheld: InitAnalysis['withheld'] = [];
    let exits: { state: State; ret: Val; retP?: Pos; retRes?: string }[] = [];
    try {
      exits = this.run(init, start, [], 0, [init]);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.complete = false;
    }
    const notOnlyFailing = new Set<string>();
    for (const { state, ret, retP } of exits) {
      const failing = this.definitelyNonzero(ret, state);
      if (!failing)
        for (let ev = state.events; ev; ev = ev.prev)
          if (ev.kind === 'goto' || ev.kind === 'return') notOnlyFailing.add(`${ev.file}:${ev.p[0]}:${ev.p[1]}`);
      // Names of each group, in the order the state holds them (one pass, not one per group).
      const namesOf = new Map<string, string[]>();
      for (const [k, id] of state.res) {
        const list = namesOf.get(id);
        if (list) list.push(k);
        else namesOf.set(id, [k]);
      }
      for (const [gid, g] of state.groups) {
        const names = namesOf.get(gid) ?? [];
        if (failing) {
          if (!this.definitelyHeld(g, state)) continue;
          // The first jump from which initialize can only fail: after the last either-way
          // branch the path is forced, and after the failure value is set it is decided.
          // A branch on a call's result was decided when the call returned (a failure returned
          // before the acquisition is already decided at the mapping helper's own return).
          const lastFork = state.lastFork ? decidedAt(state.lastFork) : -1;
          const forced = lastFork >= g.acqStep ? lastFork : Infinity;
          const decidedStep = Math.max(Math.min(decidedAt(failing), forced), g.acqStep);
          const jump = firstJumpFrom(state.events, decidedStep, g.frames);
          if (!jump) continue;
          if (g.behindPointer) {
            if (!withheld.some((w) => w.jump.p[0] === jump.p[0] && w.jump.file === jump.file))
              withheld.push({ site: g.site, jump: { file: jump.file, p: jump.p } });
            continue;
          }
          const success = g.sym ? state.cons.get(g.sym) : undefined;
          leaks.push({
            site: g.site,
            names,
            jump: { file: jump.file, fn: jump.fn, p: jump.p, kind: jump.kind, step: jump.step },
            decided: failing,
            ...(success?.z ? { success: success.o } : {}),
            loops: loopsBetween(state.events, g.acqStep, jump.step),
            ...(state.lastFork &&
            state.lastFork.at >= g.acqStep &&
            state.lastFork.at <= jump.step &&
            state.lastFork.at !== failing.at &&
            // A failure a call returned before the acquisition needs no branch after it to explain it.
            decidedAt(failing) >= g.acqStep
              ? { fork: state.lastFork }
              : {}),
            exit: { file: init.file, p: retP ?? jump.p },
          });
        } else if (this.possiblyHeld(g, state, ret)) {
          kept.push(retP ? { site: g.site, names, exit: { file: init.file, p: retP } } : { site: g.site, names });
        }
      }
    }
    if (this.damaged.length) {
      // Half-parsed code has lost statements: its paths would invent leaks, so none are reported.
      const damaged = this.damaged.map((d) => ({ name: d.name, file: d.file, line: d.fact.p[0] }));
      return {
        leaks: [],
        kept: [],
        withheld: [],
        sites: new Map(this.sites),
        complete: false,
        damaged,
        unresolvedCalls: this.unresolved,
        notOnlyFailing,
      };
    }
    return {
      leaks,
      kept,
      withheld,
      sites: new Map(this.sites),
      complete: this.complete,
      damaged: [],
      unresolvedCalls: this.unresolved,
      notOnlyFailing,
    };
  }

  private definitelyNonzero(v: Val, s: State): Origin | undefined {
    if (v.k === 'NZ') return v.o ?? { at: s.step, file: '', p: [0, 0, 0, 0], how: 'constant', text: '' };
    if (v.k === 'sym') {
      const c = s.cons.get(v.id);
      if (c && !c.z) return c.o;
    }
    return undefined;
  }

  /** Held on this path: mapped and not released, unless the path has seen the mapping fail. */
  private definitelyHeld(g: Group, s: State): boolean {
    if (g.st === 'held') return true;
    // A status never tested leaves both outcomes open; where the mapping succeeded, it is held.
    if (g.st === 'cond' && g.sym) return s.cons.get(g.sym)?.z !== false;
    return false;
  }

  /** Held unless the path shows otherwise; a success return decides its own status. */
  private possiblyHeld(g: Group, s: State, ret: Val): boolean {
    if (g.st === 'held') return true;
    if (g.st !== 'cond' || !g.sym) return false;
    const c = s.cons.get(g.sym);
    if (c) return c.z;
    return ret.k !== 'sym' || ret.id === g.sym || !s.cons.has(ret.id);
  }

  /** Runs one invocation of `fn`; returns its exits. */
  private run(
    fn: FnDef,
    entry: State,
    args: Expr[] | { val: Val; key?: string; pointee?: string }[],
    depth: number,
    stack: FnDef[],
    frames: readonly string[] = [],
  ): { state: State; ret: Val; retP?: Pos; retRes?: string }[] {
    const cfg = buildCfg(fn.body);
    const pointees = new Map<string, string>();
    const env: TypeEnv = { frame: `${fn.name}#${this.frameCounter++}`, vars: new Map(), pointees };
    const state = entry;
    const entryStep = entry.step;
    fn.params.forEach((p, i) => {
      env.vars.set(p.n, { ty: p.ty, ptr: p.ptr });
      const a = args[i] as { val: Val; key?: string; pointee?: string } | undefined;
      if (!a) return;
      const pk = `${env.frame}:${p.n}`;
      state.vals.set(pk, a.val);
      const group = a.key ? state.res.get(a.key) : undefined;
      if (group !== undefined) state.res.set(pk, group);
      if (a.pointee) pointees.set(p.n, a.pointee);
    });
    this.keyCache.set(env, new Map());
    const exits: { state: State; ret: Val; retP?: Pos; retRes?: string }[] = [];
    const returned = returnedStorage(cfg);
    const seen = new SeenStates();
    const coarseSeen = new Set<string>();
    const width = new Map<number, number>();
    const work: { node: number; state: State }[] = [{ node: cfg.entry, state }];
    const ctx: Ctx = { fn, env, depth, stack, frames: [...frames, env.frame], p: fn.fact.p };
    for (let item = work.pop(); item !== undefined; item = work.pop()) {
      const { node, state: s } = item;
      if (++this.steps > MAX_STEPS) throw new BudgetExceeded();
      const n = cfg.nodes[node];
      s.step++;
      if ('p' in n) ctx.p = n.p;
      if (cfg.joins[node]) {
        const n0 = width.get(node) ?? 0;
        // Past the width, merge by what is mapped, by the jump that led here (paths from different
        // gotos stay apart, so each goto that leaks is still reported) and by what the function will
        // return (a failing path merged into a succeeding one would hide a leak, or the reverse would
        // hide every halt finding of that mapping).
        // The last either-way decision too, where the function may be failing: the report site is
        // the first jump after it. A path that will succeed so far needs no such memory.
        const f = s.lastFork;
        // The jump that led here and the last decision keep apart paths whose leaks are reported at
        // different gotos, even when they arrive in the same state (three gotos to one cleanup label).
        if (n0 < this.joinWidth) {
          const tag = `${node}|${s.events ? `${s.events.file}:${s.events.p[0]}:${s.events.p[1]}` : ''}|${f ? `${f.file}:${f.p[0]}:${f.p[1]}` : ''}`;
          if (!seen.add((stateHash(s) + Math.imul(node, 0x9e3779b1)) | 0, tag, s)) continue;
        } else {
          const rets = returned.map((e) => valueSig(s, this.key(e, env)));
          const succeeding = rets.length > 0 && rets.every((r) => r === 'Z');
          const h = `${node}|~${hashResources(s)}@${s.events ? `${s.events.file}:${s.events.p[0]}:${s.events.p[1]}` : ''}|${rets.join(',')}|${f && !succeeding ? `${f.file}:${f.p[0]}:${f.p[1]}:${f.text}` : ''}`;
          if (coarseSeen.has(h)) continue;
          coarseSeen.add(h);
        }
        width.set(node, n0 + 1);
      }
      switch (n.t) {
        case 'end':
          exits.push({ state: s, ret: { k: 'top' } });
          break;
        case 'nop':
          work.push({ node: n.next, state: s });
          break;
        case 'jump':
          s.events = {
            kind: n.kind,
            file: fn.file,
            fn: fn.name,
            p: n.p,
            step: s.step,
            depth,
            frame: env.frame,
            prev: s.events,
          };
          work.push({ node: n.next, state: s });
          break;
        case 'exp':
          for (const r of this.evalExpr(n.e, s, ctx)) work.push({ node: n.next, state: r.state });
          break;
        case 'decl': {
          let states = [s];
          for (const d of n.d) {
            const had = env.vars.get(d.n);
            if (had?.ty !== d.ty || had.ptr !== d.ptr) {
              env.vars.set(d.n, { ty: d.ty, ptr: d.ptr });
              this.keyCache.get(env)?.clear();
            }
            const k = `${env.frame}:${d.n}`;
            const next: State[] = [];
            for (const st of states) {
              st.res.delete(k);
              if (d.init && d.init.t !== 'init') {
                for (const r of this.assign(k, d.init, st, ctx, d.n)) next.push(r);
              } else {
                if (this.isTracked(k)) st.vals.set(k, { k: 'top' });
                else st.vals.delete(k);
                next.push(st);
              }
            }
            states = next;
          }
          for (const st of states) work.push({ node: n.next, state: st });
          break;
        }
        case 'br': {
          ctx.cond = n.c;
          const splitsBefore = this.splits;
          const openBefore = this.openSplits;
          let outcomes = this.evalCond(n.c, s, ctx, n.p);
          if (n.loop) {
            // Loops are not counted: where the body releases a mapping the path holds,
            // the path does not skip the loop on its first arrival.
            const head = `${env.frame}:${node}`;
            const again = s.loops.has(head);
            if (!again && outcomes.length > 1 && this.loopReleasesHeld(n.loop, s, ctx))
              outcomes = outcomes.filter((o) => o.truth);
            for (const o of outcomes) {
              o.state.loops.add(head);
              if (again && o.truth)
                o.state.events = {
                  kind: 'loop',
                  file: fn.file,
                  fn: fn.name,
                  p: n.p,
                  step: o.state.step,
                  depth,
                  frame: env.frame,
                  prev: o.state.events,
                };
            }
          }
          for (const o of outcomes) {
            // An either-way decision for this path: the condition split it from a sibling here (several
            // outcomes of a summarised helper are not a decision of this condition). A loop's exit is
            // a decision as much as an `if` is.
            if (o.state.split !== undefined && o.state.split > splitsBefore) {
              const fork: Origin = {
                at: o.state.step,
                file: fn.file,
                p: n.p,
                how: 'branch',
                text: `${exprText(n.c)} is ${o.truth ? 'true' : 'false'}`,
              };
              // Split only on results of calls: decided when the last of them returned.
              if (this.openSplits === openBefore) {
                let latest: Birth | undefined;
                for (const c of o.state.cons.values())
                  if (c.o.at === o.state.step && c.o.decided && (!latest || c.o.decided.at > latest.at))
                    latest = c.o.decided;
                if (latest) fork.decided = latest;
              }
              // A decision fixed before the one the path already has does not replace it.
              const prev = o.state.lastFork;
              if (!prev || decidedAt(fork) >= decidedAt(prev)) o.state.lastFork = fork;
            }
            // A branch learned in this condition is described by the whole condition and the way it went.
            for (const c of o.state.cons.values())
              if (c.o.at === o.state.step && c.o.how === 'branch')
                c.o = { ...c.o, text: `${exprText(n.c)} is ${o.truth ? 'true' : 'false'}` };
            work.push({ node: o.truth ? n.yes : n.no, state: o.state });
          }
          ctx.cond = undefined;
          break;
        }
        case 'sw': {
          for (const r of this.evalExpr(n.c, s, ctx)) {
            // A value the path knows selects its case; otherwise every case (and the default) is possible.
            const v = exact(r.val);
            const hit =
              v === undefined ? undefined : n.cases.find((c) => integerValue(c.v, this.program, fn.file) === v);
            const targets =
              v === undefined
                ? [
                    ...n.cases.map((c) => ({ to: c.to, label: `case ${exprText(c.v)}` })),
                    { to: n.dflt, label: 'default' },
                  ]
                : [hit ? { to: hit.to, label: `case ${exprText(hit.v)}` } : { to: n.dflt, label: 'default' }];
            targets.forEach((t, i) => {
              const st = i < targets.length - 1 ? clone(r.state) : r.state;
              // Which case a switch takes is a decision as much as an `if` is.
              if (targets.length > 1)
                st.lastFork = {
                  at: st.step,
                  file: fn.file,
                  p: n.p,
                  how: 'branch',
                  text: `switch (${exprText(n.c)}) takes ${t.label}`,
                };
              work.push({ node: t.to, state: st });
            });
          }
          break;
        }
        case 'ret': {
          const results = n.e ? this.evalExpr(n.e, s, ctx) : [{ state: s, val: { k: 'top' } as Val }];
          for (const r of results) {
            r.state.events = {
              kind: 'return',
              file: fn.file,
              fn: fn.name,
              p: n.p,
              step: r.state.step,
              depth,
              frame: env.frame,
              prev: r.state.events,
            };
            let val = r.val;
            if ((val.k === 'Z' || val.k === 'NZ') && !val.o)
              val = {
                k: val.k,
                o: { at: r.state.step, file: fn.file, p: n.p, how: 'constant', text: n.e ? exprText(n.e) : '' },
              };
            // A returned handle stays the same resource in the caller (`Adapter->Regs = MapIt()`).
            const rk = n.e ? this.key(stripCasts(n.e), env) : undefined;
            const retRes = rk !== undefined ? r.state.res.get(rk) : undefined;
            exits.push({ state: r.state, ret: val, retP: n.p, ...(retRes !== undefined ? { retRes } : {}) });
          }
          break;
        }
      }
    }
    // Locals of this invocation mean nothing to the caller, nor do its unknown call results
    // that nothing still refers to.
    const prefix = `${env.frame}:`;
    for (const x of exits) {
      for (const k of [...x.state.vals.keys()]) if (k.startsWith(prefix)) x.state.vals.delete(k);
      if (depth === 0) continue;
      for (const k of [...x.state.res.keys()]) if (k.startsWith(prefix)) x.state.res.delete(k);
      dropNameless(x.state);
      const used = new Set<string>();
      for (const g of x.state.groups.values()) if (g.sym) used.add(g.sym);
      for (const v of x.state.vals.values()) if (v.k === 'sym') used.add(v.id.replace(/^!/, ''));
      if (x.ret.k === 'sym') used.add(x.ret.id.replace(/^!/, ''));
      for (const k of [...x.state.cons.keys()]) if (k.startsWith(prefix) && !used.has(k)) x.state.cons.delete(k);
    }
    if (depth === 0) return exits;
    // Exits the caller cannot tell apart are one exit. The last either-way decision is part of
    // what it can tell: the report site of a leak is the first jump after it, so two exits that
    // failed at different decisions (two gotos to one cleanup label) stay two.
    // A decision inside this invocation counts only where a leak could be reported inside it: when
    // nothing held was acquired in it (or deeper), its jumps are never report sites, and the first
    // jump after any of its decisions is the same jump of the caller. Such exits merge whichever of
    // the helper's conditions decided them (a free routine's `if (x) Free(x)` ladder is one exit, not
    // one per combination): the caller's walk stays linear in its helpers.
    // A field no second test reads (the one test of it is the helper's own) cannot tell the caller's
    // paths apart: exits that differ only there are one exit (the kept one is a real path, so merging
    // can only lose a path, never invent one).
    const forgettable = (k: string) => isFieldKey(k) && !this.isRetested(k);
    const exitKey = (x: (typeof exits)[number], state: string) => {
      const f = x.state.lastFork;
      const inner =
        f !== undefined && f.at > entryStep && ![...x.state.groups.values()].some((g) => g.frames.includes(env.frame));
      const fork = f === undefined ? '' : inner ? 'inner' : `${f.file}:${f.p[0]}:${f.p[1]}:${f.text}`;
      // A returned call result is told apart by what the path learned of it: the success and the
      // failure of one `Status = Helper(); if (Status != SUCCESS) break; ... return Status;` return the
      // same symbol, and merging them would make the caller take only one way (or, with the symbol
      // made unknown, pair one exit's state with the other's status).
      const retCon = x.ret.k === 'sym' ? x.state.cons.get(x.ret.id.replace(/^!/, '')) : undefined;
      const ret = `${x.ret.k}${x.ret.k === 'sym' ? x.ret.id : x.ret.k === 'NZ' ? (x.ret.n ?? '') : ''}${retCon ? (retCon.z ? 'z' : 'n') : ''}`;
      return `${state}#${ret}#${x.retRes ?? ''}#${fork}`;
    };
    const seenExits = new SeenStates();
    const distinct: (typeof exits)[number][] = [];
    for (const x of exits)
      if (seenExits.add(stateHash(x.state, forgettable), exitKey(x, ''), x.state, forgettable)) distinct.push(x);
    if (distinct.length <= this.joinWidth) return distinct;
    // More exits than a join explores in full: as past a join's width, exits that agree on what is
    // held, on what the function returns and on the decision that matters are one exit (a free
    // routine's independent `if (x) Free(x)` tests would otherwise multiply the caller's paths).
    const coarse = new Map<string, (typeof exits)[number]>();
    for (const x of distinct) {
      const key = exitKey(x, hashResources(x.state));
      if (!coarse.has(key)) coarse.set(key, x);
    }
    return [...coarse.values()];
  }

  /** Does the loop body release (directly, through a macro or a helper) a mapping this path may hold? */
  private loopReleasesHeld(body: Stmt, s: State, ctx: Ctx): boolean {
    const held = [...s.res]
      .filter(([, gid]) => {
        const g = s.groups.get(gid);
        return g && (g.st === 'held' || (g.st === 'cond' && (g.sym === undefined || s.cons.get(g.sym)?.z !== false)));
      })
      // An array's earlier element is released by a release of the array.
      .map(([k]) => (k.endsWith(EARLIER) ? k.slice(0, -EARLIER.length) : k));
    if (!held.length) return false;
    const released = new Set<string>();
    this.collectReleases(body, ctx.fn, ctx.env, released, 0, new Set());
    return held.some((h) => [...released].some((r) => sameResource(h, r)));
  }

  private collectReleases(
    body: Stmt,
    fn: FnDef,
    env: TypeEnv,
    out: Set<string>,
    depth: number,
    seen: Set<FnDef>,
  ): void {
    const rel = this.resource.release;
    const macroOf = (n: string) =>
      this.program.aliasOf(fn.file, n) === rel.call || this.program.resolve(fn.file, n).length
        ? undefined
        : this.program.macroBody(fn.file, n);
    const visit = (e: Expr, painted: string[], d: number): void => {
      if (e.t !== 'call' || e.f.t !== 'id') return;
      const name = this.program.aliasOf(fn.file, e.f.n);
      if (name === rel.call) {
        const k = this.handleKey(e.a[rel.handleArg], rel.handleIsOut ?? false, {
          fn,
          env,
          depth,
          stack: [],
          frames: [],
          p: e.p,
        });
        if (k) out.add(k);
        return;
      }
      const targets = this.program.resolve(fn.file, name);
      if (!targets.length) {
        // C does not expand a macro again inside its own expansion.
        const mb = painted.includes(name) ? undefined : this.program.macroBody(fn.file, name);
        if (mb?.params.length !== e.a.length) return;
        // Past the nesting or the step budget the loop's releases are unknown: the walk stops (a budget notice).
        if (d >= MAX_MACRO_NESTING) throw new BudgetExceeded();
        const x = expandUse(e, mb, name, painted, macroOf, MAX_STEPS - this.steps);
        this.steps += x.steps;
        if (x.truncated || this.steps > MAX_STEPS || x.exprs.some((y) => exprDeeperThan(y, MAX_NESTING)))
          throw new BudgetExceeded();
        for (const y of x.exprs)
          walkExprs({ k: 'exp', e: y, p: e.p }, (inner) => {
            visit(inner, x.painted, d + 1);
          });
        return;
      }
      for (const t of targets) {
        if (!this.relevant.has(t) || seen.has(t) || depth > 4) continue;
        seen.add(t);
        this.collectReleases(t.body, t, functionEnv(t), out, depth + 1, seen);
      }
    };
    walkExprs(body, (e) => {
      visit(e, [], 0);
    });
  }

  /** Evaluates an expression for its effects and value. Forks only where a helper has several exits. */
  private evalExpr(e: Expr, s: State, ctx: Ctx): { state: State; val: Val; res?: string }[] {
    switch (e.t) {
      case 'num': {
        const v = integerValue(e, this.program, ctx.fn.file);
        return [{ state: s, val: v === undefined ? { k: 'top' } : v === 0n ? { k: 'Z' } : { k: 'NZ', n: v } }];
      }
      case 'id': {
        const k = this.key(e, ctx.env);
        const known = k ? s.vals.get(k) : undefined;
        if (known !== undefined) return [{ state: s, val: known }];
        if (k && s.res.has(k)) return [{ state: s, val: this.resVal(s, k) }];
        const c = ctx.env.vars.has(e.n) ? undefined : this.constant(e.n, s, ctx);
        return [{ state: s, val: c ?? { k: 'top' } }];
      }
      case 'fld':
      case 'idx':
      case 'un': {
        if (e.t === 'un' && e.op !== '*') {
          const inner = this.evalExpr(e.e, s, ctx);
          if (e.op === '!') return inner.map((r) => ({ state: r.state, val: negate(r.val) }));
          return inner.map((r) => ({ state: r.state, val: { k: 'top' } }));
        }
        this.markDerefs(e, s, ctx);
        const k = this.key(e, ctx.env);
        if (k && s.res.has(k)) return [{ state: s, val: this.resVal(s, k) }];
        const known = k ? s.vals.get(k) : undefined;
        if (known !== undefined) return [{ state: s, val: known }];
        return [{ state: s, val: { k: 'top' } }];
      }
      case 'cast':
        return this.evalExpr(e.e, s, ctx);
      case 'asg': {
        // A store into mapped device registers may start the device writing shared memory.
        if (this.throughMapping(e.l, s, ctx)) this.forgetDeviceMemory(s);
        const k = this.key(e.l, ctx.env);
        if (!k) return this.evalExpr(e.r, s, ctx).map((r) => ({ state: r.state, val: { k: 'top' } }));
        if (e.op !== '=') {
          return this.evalExpr(e.r, s, ctx).map((r) => {
            if (this.isTracked(k)) r.state.vals.set(k, { k: 'top' });
            else r.state.vals.delete(k);
            this.updateFlags(k, e.op, e.r, r.state, ctx);
            return { state: r.state, val: { k: 'top' } };
          });
        }
        for (const fk of [...s.vals.keys()]) if (fk.startsWith(`${k}&`)) s.vals.delete(fk);
        return this.assign(k, e.r, s, ctx, exprText(stripCasts(e.l))).map((st) => ({
          state: st,
          val: st.vals.get(k) ?? this.resVal(st, k),
        }));
      }
      case 'post':
        return this.evalExpr(e.e, s, ctx).map((r) => {
          const k = this.key(e.e, ctx.env);
          if (k && this.isTracked(k)) r.state.vals.set(k, { k: 'top' });
          return { state: r.state, val: { k: 'top' } };
        });
      case 'bin': {
        if (e.op === '&&' || e.op === '||' || e.op === '==' || e.op === '!=') {
          // In value position, a condition: evaluate it as one, keeping the forks.
          return this.evalCond(e, s, ctx, undefined).map((o) => ({
            state: o.state,
            val: o.truth ? { k: 'NZ' } : { k: 'Z' },
          }));
        }
        const out: { state: State; val: Val }[] = [];
        for (const l of this.evalExpr(e.l, s, ctx))
          for (const r of this.evalExpr(e.r, l.state, ctx)) out.push({ state: r.state, val: { k: 'top' } });
        return out;
      }
      case 'seq': {
        const out: { state: State; val: Val }[] = [];
        for (const l of this.evalExpr(e.l, s, ctx)) out.push(...this.evalExpr(e.r, l.state, ctx));
        return out;
      }
      case 'cond': {
        const out: { state: State; val: Val }[] = [];
        for (const o of this.evalCond(e.c, s, ctx, undefined))
          out.push(...this.evalExpr(o.truth ? e.a : e.b, o.state, ctx));
        return out;
      }
      case 'call':
        return this.evalCall(e, s, ctx);
      default:
        return [{ state: s, val: { k: 'top' } }];
    }
  }

  /** `x |= BIT` and `x &= ~BIT` set and clear the flag fact `x&BIT`. */
  private updateFlags(k: string, op: string, rhs: Expr, s: State, ctx: Ctx): void {
    const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'constant', text: exprText(rhs) };
    if (op === '|=') {
      const v = integerValue(rhs, this.program, ctx.fn.file);
      if (v !== undefined) s.vals.set(`${k}&${v}`, { k: 'NZ', o });
    } else if (op === '&=') {
      const inner = stripCasts(rhs);
      const v = inner.t === 'un' && inner.op === '~' ? integerValue(inner.e, this.program, ctx.fn.file) : undefined;
      if (v !== undefined) s.vals.set(`${k}&${v}`, { k: 'Z', o });
      else for (const fk of [...s.vals.keys()]) if (fk.startsWith(`${k}&`)) s.vals.delete(fk);
    }
  }

  /** `x & BIT` with a constant BIT: the flag fact's key, `x&BIT`. */
  private flagKey(e: Expr, ctx: Ctx): { key: string; base: string } | undefined {
    if (e.t !== 'bin' || e.op !== '&') return undefined;
    const rv = integerValue(e.r, this.program, ctx.fn.file);
    const lv = rv === undefined ? integerValue(e.l, this.program, ctx.fn.file) : undefined;
    const bit = rv ?? lv;
    if (bit === undefined) return undefined;
    const base = this.key(stripCasts(rv !== undefined ? e.l : e.r), ctx.env);
    return base ? { key: `${base}&${bit}`, base } : undefined;
  }

  /** A named constant (macro, enumeration, status word) as a value with its exact integer when known. */
  private constant(name: string, s: State, ctx: Ctx): Val | undefined {
    const truth = constantTruth(name, this.program, ctx.fn.file);
    if (!truth) return undefined;
    const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'constant', text: name };
    if (truth === 'Z') return { k: 'Z', o };
    const n = integerValue({ t: 'id', n: name }, this.program, ctx.fn.file);
    return n === undefined ? { k: 'NZ', o } : { k: 'NZ', o, n };
  }

  /**
   * Every pointer an access reads through (`A` and `A->Hw` in `A->Hw->Regs`,
   * `p` in `*p` and `p[i]`): on this path they are not NULL from here on.
   */
  private markDerefs(e: Expr, s: State, ctx: Ctx): void {
    let cur = stripCasts(e);
    for (let i = 0; i < 32; i++) {
      let next: Expr;
      if (cur.t === 'fld') {
        next = stripCasts(cur.o);
        if (cur.ar) this.markNonNull(next, s, ctx);
      } else if (cur.t === 'idx') {
        next = stripCasts(cur.o);
        this.markNonNull(next, s, ctx);
      } else if (cur.t === 'un' && cur.op === '*') {
        next = stripCasts(cur.e);
        this.markNonNull(next, s, ctx);
      } else return;
      cur = next;
    }
  }

  private markNonNull(ptr: Expr, s: State, ctx: Ctx): void {
    const k = this.key(ptr, ctx.env);
    if (!k || s.res.has(k)) return;
    const v = s.vals.get(k);
    const o: Origin = { at: s.step, file: ctx.fn.file, p: ctx.p, how: 'branch', text: `${exprText(ptr)} is used` };
    if (v?.k === 'sym') {
      const id = v.id.startsWith('!') ? v.id.slice(1) : v.id;
      // `!sym` mirrors a mapping's status: the handle is non-NULL exactly when the status is zero.
      if (!s.cons.has(id)) s.cons.set(id, { z: v.id.startsWith('!'), o });
      return;
    }
    if (v && v.k !== 'top') return;
    if (this.isTracked(k)) s.vals.set(k, { k: 'NZ', o });
  }

  private resVal(s: State, k: string): Val {
    // An array whose earlier element is still held: a test of "the" element is taken to find that one
    // (a cleanup loop's `if (Va[i] != NULL) Unmap(Va[i])` releases it on some round; a path that skips
    // every round would be a false alarm).
    const earlier = s.res.get(`${k}${EARLIER}`);
    if (earlier !== undefined && stillHeld(groupOf(s, earlier), s)) return { k: 'NZ' };
    const g = s.res.get(k);
    return g ? this.groupVal(groupOf(s, g)) : { k: 'top' };
  }

  /** The handle's value as a pointer: held → nonzero, NULL → zero, conditional → the status symbol's mirror. */
  private groupVal(g: Group): Val {
    if (g.st === 'held' || g.st === 'released') return { k: 'NZ' };
    if (g.st === 'null') return { k: 'Z' };
    // The handle is decided where the acquisition returned its status.
    return {
      k: 'sym',
      id: `!${String(g.sym)}`,
      b: { at: g.acqStep, file: g.site.file, p: g.site.p, text: '' },
    };
  }

  /** `key = rhs`: values, aliases of resources, NULL after release. */
  private assign(k: string, rhs: Expr, s: State, ctx: Ctx, text?: string): State[] {
    const acq = this.returningAcquire(rhs, ctx);
    if (acq) {
      // The stored handle is the resource; whatever `k` named before is overwritten.
      s.res.delete(k);
      s.vals.delete(k);
      return this.acquire(acq, s, ctx, { key: k, text: text ?? k }).map(({ state }) => state);
    }
    const rk = this.key(stripCasts(rhs), ctx.env);
    const aliased = rk && rk !== k ? s.res.get(rk) : undefined;
    if (aliased !== undefined) {
      s.res.set(k, aliased);
      s.vals.delete(k);
      this.noteName(s, aliased, k);
      return [s];
    }
    // A copy of storage nothing is known about yet: both names share one unknown value, so what the path
    // learns through one (`Hw->Regs` used, so `Hw` is not NULL) holds for the other (`A->Hw`).
    const share = rk !== undefined && rk !== k && (this.isTracked(k) || this.isTracked(rk));
    return this.evalExpr(rhs, s, ctx).map(({ state, val: v0, res }) => {
      if (res !== undefined && state.groups.has(res)) {
        state.res.set(k, res);
        state.vals.delete(k);
        this.noteName(state, res, k);
        return state;
      }
      let val = v0;
      if (share && val.k === 'top' && !state.res.has(rk)) {
        val = { k: 'sym', id: `=${rk}@${state.step}` };
        state.vals.set(rk, val);
      }
      const gid = state.res.get(k);
      if (gid !== undefined) {
        const g = groupOf(state, gid);
        const zero = val.k === 'Z' || (val.k === 'sym' && state.cons.get(val.id)?.z === true);
        if (zero) {
          if (g.st === 'released' || (g.st === 'cond' && g.sym && state.cons.get(g.sym)?.z === false)) g.st = 'null';
          return state;
        }
        state.res.delete(k);
        dropNameless(state);
      }
      if (this.isTracked(k)) state.vals.set(k, val);
      else state.vals.delete(k);
      return state;
    });
  }

  /** The functions a walk from `init` can step into: init and the relevant functions it reaches. */
  walkable(init: FnDef): FnDef[] {
    // Every function it reaches: a helper that returns a status is walked too while something is
    // held, since where it fails is where a leak is reported.
    const seen = new Set<FnDef>([init]);
    const queue = [init];
    for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
      for (const e of this.program.callees(f)) {
        if (!seen.has(e.callee)) {
          seen.add(e.callee);
          queue.push(e.callee);
        }
      }
    }
    return [...seen];
  }

  /**
   * The device may have written memory it shares with the driver: values learned of struct fields
   * are forgotten. Kept: flag bits the driver set itself (no device writes a driver's flag word)
   * and fields declared BOOLEAN, the driver's own bookkeeping (`Adapter->InterruptRegistered`):
   * no device descriptor or register layout declares one.
   */
  private forgetDeviceMemory(s: State): void {
    for (const k of [...s.vals.keys()])
      if (isFieldKey(k) && !k.includes('&') && !this.isBooleanField(k)) s.vals.delete(k);
  }

  private isBooleanField(k: string): boolean {
    let cached = this.booleanFields.get(k);
    if (cached === undefined) {
      cached = BOOLEAN_TYPE.test(this.fieldType(k) ?? '');
      this.booleanFields.set(k, cached);
    }
    return cached;
  }

  /** The declared type of a key's last field (`ADAPTER.Regs` → `PVOID`), where the structs are known. */
  private fieldType(k: string): string | undefined {
    const parts = k.split('.');
    const structs = this.program.structs;
    const lookup = (ty: string) =>
      structs.get(ty) ?? structs.get(`_${ty}`) ?? structs.get(`__${ty}`) ?? structs.get(this.keys.canonicalType(ty));
    let fields = lookup(parts[0]);
    for (let i = 1; i < parts.length && fields; i++) {
      const ft = fields[parts[i].replace(/\[\]$/, '')] as string | undefined;
      if (ft === undefined) return undefined;
      if (i === parts.length - 1) return this.keys.canonicalType(ft);
      fields = lookup(ft);
    }
    return undefined;
  }

  /** Is this storage read by a condition or return somewhere on the walk? Others need no value. */
  private isTracked(k: string): boolean {
    return this.tested.has(lastName(k));
  }

  /**
   * Worth remembering what a test learned when another test can read it again, or when the walk
   * also assigns that storage: `if (A->Regs) { Unmap(...); A->Regs = NULL; }` ends with `A->Regs`
   * zero on both ways, and knowing it on the skipping way too lets the two paths merge.
   */
  private isRetested(k: string): boolean {
    let hit = this.retested.get(k);
    if (hit === undefined) {
      hit = this.countRetested(k);
      this.retested.set(k, hit);
    }
    return hit;
  }

  private countRetested(k: string): boolean {
    const name = lastName(k);
    const all = this.tested.get(name) ?? 0;
    // A field of a field: when every test of its name is of that form, its last two names tell it.
    const amp = k.indexOf('&');
    const parts = (amp < 0 ? k : k.slice(0, amp)).split('.');
    if (parts.length >= 3 && (this.tested.get(`${name}.`) ?? 0) === all) {
      const pair = `${parts[parts.length - 2].replace(/\[\]$/, '')}.${name}`;
      return (this.tested.get(pair) ?? 0) >= 2;
    }
    return all >= 2;
  }

  private noteName(s: State, gid: string, name: string): void {
    const g = s.groups.get(gid);
    if (!g) return;
    const rec = this.sites.get(siteId(g.site));
    if (rec) rec.names.add(name);
  }

  private evalArgs(args: Expr[], s: State, ctx: Ctx): { state: State; vals: Val[] }[] {
    let acc: { state: State; vals: Val[] }[] = [{ state: s, vals: [] }];
    for (const a of args) {
      const next: { state: State; vals: Val[] }[] = [];
      for (const x of acc)
        for (const r of this.evalExpr(a, x.state, ctx)) next.push({ state: r.state, vals: [...x.vals, r.val] });
      acc = next;
    }
    return acc;
  }

  private evalCall(e: Extract<Expr, { t: 'call' }>, s: State, ctx: Ctx): { state: State; val: Val; res?: string }[] {
    let callee = stripCasts(e.f);
    // `(*pfn)(x)` calls what `pfn` holds.
    if (callee.t === 'un' && callee.op === '*') callee = stripCasts(callee.e);
    if (callee.t !== 'id' || this.isPointerVariable(callee.n, ctx)) return this.evalPointerCall(e, callee, s, ctx);
    const name = this.program.aliasOf(ctx.fn.file, callee.n);
    const r = this.resource;
    // Time passes, or the driver writes a device register: what the path knew of memory the device
    // shares with the driver may no longer hold.
    if (isDeviceWait(name) || (/write/i.test(name) && e.a.some((a) => this.throughMapping(a, s, ctx))))
      this.forgetDeviceMemory(s);
    if (name === r.acquire.call) return this.acquire(e, s, ctx);
    const other = this.correlated.get(name);
    if (other) return this.correlatedAcquire(e, other, s, ctx);
    if (name === r.release.call) {
      const hk = this.handleKey(e.a[r.release.handleArg], r.release.handleIsOut ?? false, ctx);
      return this.evalArgs(e.a, s, ctx).map(({ state }) => {
        const gid = hk ? this.resourceOf(state, hk) : undefined;
        if (gid !== undefined) groupOf(state, gid).st = 'released';
        // Which element is released is not told apart: the earlier one held beside it goes too.
        const earlier = hk ? state.res.get(`${hk}${EARLIER}`) : undefined;
        if (earlier !== undefined) groupOf(state, earlier).st = 'released';
        return { state, val: { k: 'top' } };
      });
    }
    const targets = this.program.resolve(ctx.fn.file, name);
    if (targets.length === 0) {
      const mb = this.program.macroBody(ctx.fn.file, name);
      if (mb?.params.length === e.a.length) return this.expandMacro(mb.body, mb.params, e, s, ctx);
    }
    // Helpers that acquire or release are walked with the caller's state; others are opaque (a
    // leak is never reported inside a helper that did not make the mapping).
    // Several definitions of one name (the same function in two builds, `#if` branches): each is possible.
    const walked = targets.filter((t) => this.relevant.has(t) && !ctx.stack.includes(t));
    if (walked.length && ctx.depth < MAX_DEPTH) return this.stepInto(walked, false, e, s, ctx);
    return this.opaqueCall(e, s, ctx, targets);
  }

  /**
   * Does an access go through a mapped register window the path holds (`Adapter->Csr->Port`)?
   */
  private throughMapping(e: Expr, s: State, ctx: Ctx): boolean {
    let cur = stripCasts(e);
    for (let i = 0; i < 32; i++) {
      if (cur.t === 'un' && cur.op === '&') cur = stripCasts(cur.e);
      else if (cur.t === 'fld' || cur.t === 'idx') cur = stripCasts(cur.o);
      else if (cur.t === 'un' && cur.op === '*') cur = stripCasts(cur.e);
      else if (cur.t === 'bin' && (cur.op === '+' || cur.op === '-')) cur = stripCasts(cur.l);
      else break;
      const k = this.key(cur, ctx.env);
      const gid = k ? s.res.get(k) : undefined;
      if (gid !== undefined) {
        const g = s.groups.get(gid);
        if (g && g.st !== 'released' && g.st !== 'null') return true;
      }
    }
    return false;
  }

  /** A local, parameter or global variable called as a function: a call through a pointer. */
  private isPointerVariable(name: string, ctx: Ctx): boolean {
    if (ctx.env.vars.has(name)) return true;
    return this.program.resolve(ctx.fn.file, name).length === 0 && this.program.globals.has(name);
  }

  /**
   * A call through a pointer. Through a struct field (`Dev->Ops->MapBar(Dev)`) it calls one of the
   * functions stored into that field anywhere in the program: each is a possible outcome. One that
   * resolves to nothing known may call any function whose address is taken: only where one of those
   * can reach a release may it have released what the path holds.
   */
  private evalPointerCall(
    e: Extract<Expr, { t: 'call' }>,
    callee: Expr,
    s: State,
    ctx: Ctx,
  ): { state: State; val: Val }[] {
    const field = callee.t === 'fld' ? callee.f : undefined;
    const targets = field ? [...new Set(this.program.fieldTargets(field).map((t) => t.fn))] : [];
    if (targets.length) {
      const rel = targets.filter((t) => this.relevant.has(t) && !ctx.stack.includes(t));
      if (rel.length && ctx.depth < MAX_DEPTH) return this.stepInto(rel, rel.length < targets.length, e, s, ctx);
      return this.opaqueCall(e, s, ctx, targets);
    }
    this.unresolved++;
    return this.opaqueCall(e, s, ctx, []).map((out) => {
      if (this.indirectMayRelease)
        for (const g of out.state.groups.values()) if (g.st === 'held' || g.st === 'cond') g.behindPointer = true;
      return out;
    });
  }

  /** Walks each target with the caller's state (a copy per target); `alsoOpaque` adds a call that does nothing known. */
  private stepInto(
    targets: FnDef[],
    alsoOpaque: boolean,
    e: Extract<Expr, { t: 'call' }>,
    s: State,
    ctx: Ctx,
  ): { state: State; val: Val; res?: string }[] {
    const out: { state: State; val: Val; res?: string }[] = [];
    for (const a of this.evalArgs(e.a, s, ctx)) {
      const bound = e.a.map((arg, i) => {
        const plain = stripCasts(arg);
        const pointee = plain.t === 'un' && plain.op === '&' ? this.key(plain.e, ctx.env) : undefined;
        const key = this.key(plain, ctx.env);
        let val = a.vals[i];
        // A parameter is a copy of the argument: what the helper learns of it (a pointer used, so
        // not NULL) holds for the caller's storage too.
        if (key && val.k === 'top' && !a.state.res.has(key) && this.isTracked(key)) {
          val = { k: 'sym', id: `=${key}@${a.state.step}` };
          a.state.vals.set(key, val);
        }
        return { val, key, pointee };
      });
      const copies = targets.length + (alsoOpaque ? 1 : 0);
      targets.forEach((target, i) => {
        if (target.fact.damaged && !this.damaged.includes(target)) this.damaged.push(target);
        const entry = i < copies - 1 ? clone(a.state) : a.state;
        for (const x of this.run(target, entry, bound, ctx.depth + 1, [...ctx.stack, target], ctx.frames))
          out.push({ state: x.state, val: x.ret, ...(x.retRes !== undefined ? { res: x.retRes } : {}) });
      });
      if (alsoOpaque) out.push(...this.opaqueCall(e, a.state, ctx, [], true));
    }
    return out;
  }

  /**
   * A call not stepped into: a fresh unknown result; what it is handed the address of becomes
   * unknown, and so do the fields a defined helper writes (an undefined function writes only
   * through what it is handed the address of).
   */
  private opaqueCall(
    e: Extract<Expr, { t: 'call' }>,
    s: State,
    ctx: Ctx,
    targets: FnDef[],
    argsDone = false,
  ): { state: State; val: Val }[] {
    // A helper not worth stepping into, whose every return is a success constant, succeeds.
    const alwaysSucceeds = targets.length > 0 && targets.every((t) => this.returnsOnlySuccess(t, ctx));
    const writes = new Set<string>();
    for (const t of targets) for (const w of this.program.fieldWritesOf(t)) writes.add(w);
    // Flag words the helper only sets or clears bits of: a bit no mask names keeps its value.
    const masked = new Map<string, { op: string; mask: string }[]>();
    for (const t of targets)
      for (const m of this.program.maskedWritesOf(t)) {
        const at = m.search(/[|&]=/);
        const field = m.slice(0, at);
        masked.set(field, [...(masked.get(field) ?? []), { op: m.slice(at, at + 2), mask: m.slice(at + 2) }]);
      }
    const sym = `${ctx.env.frame}:${e.p[0]}:${e.p[1]}`;
    const argStates = argsDone ? [{ state: s }] : this.evalArgs(e.a, s, ctx);
    return argStates.map(({ state }) => {
      for (const arg of e.a) {
        const plain = stripCasts(arg);
        if (plain.t === 'un' && plain.op === '&') {
          const k = this.key(plain.e, ctx.env);
          if (k && !state.res.has(k)) {
            if (this.isTracked(k)) state.vals.set(k, { k: 'top' });
            else state.vals.delete(k);
          }
        }
      }
      // Only fields: a helper cannot write the caller's local variables (short of `&x`, handled above).
      if (writes.size || masked.size)
        for (const k of [...state.vals.keys()]) {
          if (!isFieldKey(k)) continue;
          const name = lastName(k);
          if (writes.has(name)) state.vals.delete(k);
          else {
            const masks = masked.get(name);
            if (masks !== undefined && this.maskMayChange(k, masks, ctx)) state.vals.delete(k);
          }
        }
      state.cons.delete(sym);
      if (alwaysSucceeds) return { state, val: { k: 'Z' } };
      return { state, val: { k: 'sym', id: sym, b: birth(state, ctx, e) } };
    });
  }

  /**
   * Can `Flags |= MASK` or `Flags &= ~MASK` change what this key knows? The word itself changes;
   * a bit (`Flags&4`) changes only when a mask names it, or when a mask's value is unknown.
   */
  private maskMayChange(k: string, writes: { op: string; mask: string }[], ctx: Ctx): boolean {
    const amp = k.indexOf('&');
    if (amp < 0 || !/^-?\d+$/.test(k.slice(amp + 1))) return true;
    const bit = BigInt.asUintN(64, BigInt(k.slice(amp + 1)));
    for (const w of writes) {
      const inverted = w.mask.startsWith('~');
      const names = w.mask.replace(/^~/, '').replace(/[()]/g, '').split('|');
      let value = 0n;
      for (const n of names) {
        const v = /^\d/.test(n)
          ? integerValue({ t: 'num', v: n }, this.program, ctx.fn.file)
          : integerValue({ t: 'id', n }, this.program, ctx.fn.file);
        if (v === undefined) return true;
        value |= BigInt.asUintN(64, v);
      }
      // `|= M` sets M's bits; `&= ~M` clears them; `&= M` clears every bit but M's.
      const touched = w.op === '|=' || inverted ? value & bit : ~value & bit;
      if (touched !== 0n) return true;
    }
    return false;
  }

  /** The group a key names: exactly, or a field path whose struct type one side does not know. */
  private resourceOf(s: State, k: string): string | undefined {
    const exactHit = s.res.get(k);
    if (exactHit !== undefined || !k.includes('.')) return exactHit;
    for (const [name, gid] of s.res) if (sameResource(name, k)) return gid;
    return undefined;
  }

  private returnsOnlySuccess(fn: FnDef, ctx: Ctx): boolean {
    const r = fn.fact.returns;
    // Return texts are token runs: `( NDIS_STATUS_SUCCESS )` is the constant in parentheses.
    return r.length > 0 && r.every((x) => constantTruth(x.replace(/[()\s]/g, ''), this.program, ctx.fn.file) === 'Z');
  }

  private handleKey(arg: Expr | undefined, isOut: boolean, ctx: Ctx): string | undefined {
    if (!arg) return undefined;
    const plain = stripCasts(arg);
    if (isOut) {
      if (plain.t === 'un' && plain.op === '&') return this.key(plain.e, ctx.env);
      if (plain.t === 'id' && ctx.env.pointees?.has(plain.n)) return ctx.env.pointees.get(plain.n);
      return this.key({ t: 'un', op: '*', e: plain }, ctx.env);
    }
    return this.key(plain, ctx.env);
  }

  /**
   * `target`: where a handle the call returns is stored (`x = NdisAllocateIoWorkItem(h)`); without it such
   * a call names nothing and is not tracked.
   */
  private acquire(
    e: Extract<Expr, { t: 'call' }>,
    s: State,
    ctx: Ctx,
    target?: { key: string; text: string },
  ): { state: State; val: Val; res?: string }[] {
    const r = this.resource.acquire;
    const returned = r.result === 'non-null-return';
    const handle = returned ? undefined : e.a[r.handleArg];
    const key = returned ? target?.key : this.handleKey(handle, r.handleIsOut, ctx);
    return this.evalArgs(e.a, s, ctx).map(({ state }) => {
      if (!key) return { state, val: { k: 'top' } };
      const site: AcquireSite = {
        file: ctx.fn.file,
        fn: ctx.fn.name,
        p: e.p,
        // Without the invocation number: one call site is one site whichever path reaches it
        // (ids and fingerprints must not depend on the order paths were walked).
        key: key.replace(/#\d+:/, ':'),
        text: handle ? exprText(stripCasts(handle)).replace(/^&/, '') : (target?.text ?? key),
      };
      const sid = siteId(site);
      if (!this.sites.has(sid)) this.sites.set(sid, { site, names: new Set([key]) });
      const sym = `${ctx.env.frame}:${e.p[0]}:${e.p[1]}`;
      const gid = sid;
      // Array elements are one resource, but the next element mapped by the same call (a BAR loop's
      // next round) does not undo the earlier one: a mapping this path knows it still holds stays held
      // under its own id, so a failure of the next one still leaks it. One earlier element is enough.
      const before = state.groups.get(gid);
      const earlierKey = `${key}${EARLIER}`;
      const earlier = state.res.get(earlierKey);
      if (
        key.includes('[]') &&
        before &&
        stillHeld(before, state) &&
        !(earlier !== undefined && stillHeld(groupOf(state, earlier), state))
      ) {
        // Held for sure, and no longer tied to the call's status symbol, which the next round reuses.
        const { sym: _sym, ...rest } = before;
        state.groups.set(`${gid}${EARLIER}`, { ...rest, st: 'held' });
        state.res.set(earlierKey, `${gid}${EARLIER}`);
      }
      state.cons.delete(sym);
      state.cons.delete(`!${sym}`);
      state.res.set(key, gid);
      state.vals.delete(key);
      // Whatever says success (a status, a non-NULL handle), the handle is non-NULL exactly when it succeeded.
      const group: Group = {
        st: r.result === 'none' ? 'held' : 'cond',
        sym,
        site,
        acqStep: state.step,
        frames: ctx.frames,
      };
      state.groups.set(gid, group);
      dropNameless(state);
      if (returned) return { state, val: this.groupVal(group), res: gid };
      // A call that returns nothing has no value to read; code that reads one anyway (a driver's own shim)
      // is taken to report success as a status does.
      return { state, val: r.result === 'none' ? { k: 'top' } : { k: 'sym', id: sym, b: birth(state, ctx, e) } };
    });
  }

  /** Another resource's acquire: its status, and its handle non-NULL exactly when that status is success. */
  private correlatedAcquire(
    e: Extract<Expr, { t: 'call' }>,
    other: ResourceDef,
    s: State,
    ctx: Ctx,
  ): { state: State; val: Val }[] {
    const key = this.handleKey(e.a[other.acquire.handleArg], true, ctx);
    return this.opaqueCall(e, s, ctx, []).map(({ state, val }) => {
      if (key && val.k === 'sym' && !state.res.has(key) && this.isTracked(key))
        state.vals.set(key, { k: 'sym', id: `!${val.id}`, ...(val.b ? { b: val.b } : {}) });
      return { state, val };
    });
  }

  /** `rhs` is a call of an acquire that returns its handle: the call, when so. */
  private returningAcquire(rhs: Expr, ctx: Ctx): Extract<Expr, { t: 'call' }> | undefined {
    if (this.resource.acquire.result !== 'non-null-return') return undefined;
    const c = stripCasts(rhs);
    if (c.t !== 'call' || c.f.t !== 'id') return undefined;
    return this.program.aliasOf(ctx.fn.file, c.f.n) === this.resource.acquire.call ? c : undefined;
  }

  /**
   * A function-like macro used in code: its body with the arguments put in,
   * at the use site, wrapper chains unwrapped (see `expandUse`). As in C, a
   * macro used inside its own expansion is not expanded again: there it is a
   * call of a function nothing defines. Each macro body put in costs a step;
   * past the step budget or the nesting limit the analysis stops (a budget
   * notice), never the call stack.
   */
  private expandMacro(
    body: Stmt,
    params: string[],
    use: Extract<Expr, { t: 'call' }>,
    s: State,
    ctx: Ctx,
  ): { state: State; val: Val }[] {
    // The macro's own name, behind an alias (`#define MAP_IT MapWindow`), is what C leaves alone inside.
    const name = use.f.t === 'id' ? this.program.aliasOf(ctx.fn.file, use.f.n) : '';
    const around = ctx.macros ?? { painted: [], depth: 0 };
    if (around.painted.includes(name))
      return this.evalArgs(use.a, s, ctx).map(({ state }) => ({ state, val: { k: 'top' } }));
    if (around.depth >= MAX_MACRO_NESTING) throw new BudgetExceeded();
    const r = this.resource;
    const macroOf = (n: string) => {
      const alias = this.program.aliasOf(ctx.fn.file, n);
      if (alias === r.acquire.call || alias === r.release.call || this.program.resolve(ctx.fn.file, n).length)
        return undefined;
      return this.program.macroBody(ctx.fn.file, n);
    };
    const x = expandUse(use, { params, body }, name, around.painted, macroOf, MAX_STEPS - this.steps);
    this.steps += x.steps;
    if (x.truncated || this.steps > MAX_STEPS || x.exprs.some((e) => exprDeeperThan(e, MAX_NESTING)))
      throw new BudgetExceeded();
    const inner: Ctx = { ...ctx, macros: { painted: x.painted, depth: around.depth + 1 } };
    let acc: { state: State; val: Val }[] = [{ state: s, val: { k: 'top' } }];
    for (const e of x.exprs) {
      const next: { state: State; val: Val }[] = [];
      for (const a of acc) next.push(...this.evalExpr(e, a.state, inner));
      acc = next;
    }
    return acc;
  }

  /**
   * A condition's outcomes: each feasible truth value with the state that
   * learned it. `x == 0`, `!x`, `x != NDIS_STATUS_SUCCESS`, `NT_SUCCESS(x)`, `NT_ERROR(x)`,
   * `x` and `&&`/`||` of them are understood; anything else forks unlearned.
   */
  private evalCond(e: Expr, s: State, ctx: Ctx, p: Pos | undefined): { truth: boolean; state: State }[] {
    const c = stripCasts(e);
    if (c.t === 'un' && c.op === '!')
      return this.evalCond(c.e, s, ctx, p).map((o) => ({ truth: !o.truth, state: o.state }));
    if (c.t === 'bin' && (c.op === '&&' || c.op === '||')) {
      const out: { truth: boolean; state: State }[] = [];
      for (const l of this.evalCond(c.l, s, ctx, p)) {
        if ((c.op === '&&' && !l.truth) || (c.op === '||' && l.truth)) out.push(l);
        else out.push(...this.evalCond(c.r, l.state, ctx, p));
      }
      return out;
    }
    if (c.t === 'bin' && (c.op === '==' || c.op === '!=')) {
      const zl = this.isZeroConstant(c.l, ctx);
      const zr = this.isZeroConstant(c.r, ctx);
      if (zl || zr) {
        const other = zr ? c.l : c.r;
        return this.zeroTest(other, s, ctx, p, e).map((o) => ({
          truth: c.op === '==' ? o.zero : !o.zero,
          state: o.state,
        }));
      }
      const out: { truth: boolean; state: State }[] = [];
      const eq = c.op === '==';
      for (const l of this.evalExpr(c.l, s, ctx))
        for (const r of this.evalExpr(c.r, l.state, ctx)) {
          const lv = exact(l.val);
          const rv = exact(r.val);
          // Both known (an enum state set on this path against a constant): one way only.
          if (lv !== undefined && rv !== undefined) {
            out.push({ truth: (lv === rv) === eq, state: r.state });
            continue;
          }
          const same = clone(r.state);
          same.split = r.state.split = ++this.splits;
          this.openSplits++;
          // On the equal branch, tracked storage compared with a constant holds that constant.
          const known =
            rv !== undefined ? { side: c.l, v: r.val } : lv !== undefined ? { side: c.r, v: l.val } : undefined;
          if (known) {
            const k = this.key(stripCasts(known.side), ctx.env);
            if (k && !same.res.has(k) && this.isTracked(k) && same.vals.get(k)?.k !== 'sym') same.vals.set(k, known.v);
          }
          out.push({ truth: eq, state: same }, { truth: !eq, state: r.state });
        }
      return out;
    }
    if (c.t === 'call' && c.f.t === 'id' && c.f.n === 'NT_SUCCESS' && c.a.length === 1) {
      return this.zeroTest(c.a[0], s, ctx, p, e).map((o) => ({ truth: o.zero, state: o.state }));
    }
    // NT_ERROR is NT_SUCCESS's failure side as far as a status that succeeded or failed goes.
    if (c.t === 'call' && c.f.t === 'id' && c.f.n === 'NT_ERROR' && c.a.length === 1) {
      return this.zeroTest(c.a[0], s, ctx, p, e).map((o) => ({ truth: !o.zero, state: o.state }));
    }
    if (c.t === 'num' || c.t === 'id') {
      const k = c.t === 'id' ? this.key(c, ctx.env) : undefined;
      const known = c.t === 'num' ? integerValue(c, this.program, ctx.fn.file) : undefined;
      if (known !== undefined) return [{ truth: known !== 0n, state: s }];
      if (c.t === 'id' && !(k && (s.vals.has(k) || s.res.has(k)))) {
        const t = ctx.env.vars.has(c.n) ? undefined : constantTruth(c.n, this.program, ctx.fn.file);
        if (t) return [{ truth: t === 'NZ', state: s }];
      }
    }
    return this.zeroTest(c, s, ctx, p, e).map((o) => ({ truth: !o.zero, state: o.state }));
  }

  private isZeroConstant(e: Expr, ctx: Ctx): boolean {
    const c = stripCasts(e);
    if (c.t === 'num') return integerValue(c, this.program, ctx.fn.file) === 0n;
    if (c.t === 'id' && !ctx.env.vars.has(c.n))
      return constantTruth(c.n, this.program, ctx.fn.file) === 'Z' && this.program.globals.get(c.n) === undefined;
    return false;
  }

  /** Is the value zero? Determined, learned on a symbol, or learned on the tested storage. */
  private zeroTest(e: Expr, s: State, ctx: Ctx, p: Pos | undefined, whole: Expr): { zero: boolean; state: State }[] {
    const plain = stripCasts(e);
    const origin = (st: State): Origin => ({
      at: st.step,
      file: ctx.fn.file,
      p: p ?? ctx.p,
      how: 'branch',
      text: exprText(ctx.cond ?? whole),
    });
    const flag = this.flagKey(plain, ctx);
    const k = flag ? flag.key : plain.t === 'call' || plain.t === 'asg' ? undefined : this.key(plain, ctx.env);
    const out: { zero: boolean; state: State }[] = [];
    for (const r of this.evalExpr(plain, s, ctx)) {
      const st = r.state;
      let v = r.val;
      if (flag) {
        // A flag never set since the variable was zeroed is clear.
        v = st.vals.get(flag.key) ?? (st.vals.get(flag.base)?.k === 'Z' ? { k: 'Z' } : v);
      }
      if (plain.t === 'asg') {
        const ak = this.key(plain.l, ctx.env);
        if (ak) v = st.vals.get(ak) ?? this.resVal(st, ak);
      }
      if (v.k === 'Z' || v.k === 'NZ') {
        out.push({ zero: v.k === 'Z', state: st });
        continue;
      }
      if (v.k === 'sym') {
        // `!sym` is the handle of a mapping whose status is sym: zero exactly when the status is not.
        const mirrored = v.id.startsWith('!');
        const id = mirrored ? v.id.slice(1) : v.id;
        const known = st.cons.get(id);
        if (known) {
          out.push({ zero: mirrored ? !known.z : known.z, state: st });
          continue;
        }
        const a = clone(st);
        const decided = v.b ? { decided: v.b } : {};
        if (!v.b) this.openSplits++;
        a.cons.set(id, { z: true, o: { ...origin(a), ...decided } });
        st.cons.set(id, { z: false, o: { ...origin(st), ...decided } });
        a.split = st.split = ++this.splits;
        out.push({ zero: !mirrored, state: a }, { zero: mirrored, state: st });
        continue;
      }
      // Unknown: both ways, and remember what was learned about this storage if anything reads it again.
      const a = clone(st);
      a.split = st.split = ++this.splits;
      this.openSplits++;
      if (k && !st.res.has(k) && (this.isRetested(k) || (this.isTracked(k) && this.assigned.has(lastName(k))))) {
        a.vals.set(k, { k: 'Z', o: origin(a) });
        st.vals.set(k, { k: 'NZ', o: origin(st) });
      }
      out.push({ zero: true, state: a }, { zero: false, state: st });
    }
    return out;
  }
}

interface Ctx {
  fn: FnDef;
  env: TypeEnv;
  depth: number;
  stack: FnDef[];
  /** Invocations on the stack, outermost first (this one last). */
  frames: readonly string[];
  /** Position of the statement being evaluated. */
  p: Pos;
  /** Condition of the branch being evaluated. */
  cond?: Expr;
  /** Inside a macro's expansion: the macros being expanded (outermost first) and how deeply they nest. */
  macros?: { painted: string[]; depth: number };
}

class BudgetExceeded extends Error {}

function negate(v: Val): Val {
  if (v.k === 'Z') return { k: 'NZ', o: v.o };
  if (v.k === 'NZ') return { k: 'Z', o: v.o };
  return { k: 'top' };
}

/** The variable or field a key ends with (`Flags` in `DEV.Flags&4`, `Status` in `Init#3:Status`). */
const lastName = rememberedByString(readLastName);

function readLastName(k: string): string {
  const amp = k.indexOf('&');
  const plain = amp < 0 ? k : k.slice(0, amp);
  return plain.slice(Math.max(plain.lastIndexOf('.'), plain.lastIndexOf(':')) + 1).replace(/\[\]$/, '');
}

/** Identifiers and field names read by conditions and returns of these functions, with counts. */
function testedNames(fns: Iterable<FnDef>): Map<string, number> {
  const out = new Map<string, number>();
  /** Where `names` counts: one function's own counts while they are read. */
  let into = out;
  const names = (e: Expr | undefined) => {
    if (!e) return;
    walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
      const n = x.t === 'id' ? x.n : x.t === 'fld' ? x.f : undefined;
      if (n) into.set(n, (into.get(n) ?? 0) + 1);
      // A field of a field (`A->EventLock.SpinLock`) is also counted by its last two names, and how
      // many tests of its name are of that form: four locks' `SpinLock` are four storages.
      if (x.t === 'fld') {
        const o = stripCasts(x.o);
        if (o.t === 'fld') {
          const pair = `${o.f}.${x.f}`;
          into.set(pair, (into.get(pair) ?? 0) + 1);
          into.set(`${x.f}.`, (into.get(`${x.f}.`) ?? 0) + 1);
        }
      }
    });
  };
  const conds = (s: Stmt | undefined): void => {
    if (!s) return;
    switch (s.k) {
      case 'blk':
        s.b.forEach(conds);
        break;
      case 'if':
        names(s.c);
        conds(s.t);
        conds(s.f);
        break;
      case 'while':
      case 'do':
        names(s.c);
        conds(s.b);
        break;
      case 'for':
        names(s.c);
        conds(s.i);
        conds(s.b);
        break;
      case 'sw':
        names(s.c);
        conds(s.b);
        break;
      case 'ret':
        names(s.e);
        break;
      case 'exp':
      case 'decl': {
        // Conditions inside expressions: `a ? b : c`, `x && F()`.
        const list = s.k === 'exp' ? [s.e] : s.d.map((d) => d.init);
        for (const e of list)
          if (e)
            walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
              if (x.t === 'cond') names(x.c);
              else if (x.t === 'bin' && (x.op === '&&' || x.op === '||')) {
                names(x.l);
                names(x.r);
              }
            });
        break;
      }
      default:
        break;
    }
  };
  const list = [...fns];
  for (const fn of list) {
    let counts = testedCache.get(fn.body);
    if (!counts) {
      counts = new Map();
      into = counts;
      conds(fn.body);
      into = out;
      testedCache.set(fn.body, counts);
    }
    for (const [k, v] of counts) out.set(k, (out.get(k) ?? 0) + v);
  }
  // A helper that tests its parameter tests the caller's argument: `CardDestroy(a->Card)` with
  // `if (c)` inside reads `Card`, so what the path knows of `a->Card` must be kept for it. To a
  // fixed point, so a parameter handed on to the helper that tests it counts too.
  const byName = new Map<string, FnDef[]>();
  for (const fn of list) byName.set(fn.name, [...(byName.get(fn.name) ?? []), fn]);
  const testedParam = (fn: FnDef, i: number, extra: Set<string>) => {
    const n = (fn.params[i] as (typeof fn.params)[number] | undefined)?.n;
    return n !== undefined && ((testedCache.get(fn.body)?.has(n) ?? false) || extra.has(`${fn.name}#${i}`));
  };
  const passed = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const before = passed.size;
    for (const fn of list) {
      const params = new Map(fn.params.map((p, i) => [p.n, i]));
      for (const x of callsOf(fn.body))
        for (const callee of byName.get(x.name) ?? [])
          x.args.forEach((a, i) => {
            if (!testedParam(callee, i, passed)) return;
            if (a === undefined) return;
            const key = `${fn.name}#${i}@${x.at}#${callee.name}`;
            if (passed.has(key)) return;
            passed.add(key);
            out.set(a.n, (out.get(a.n) ?? 0) + 1);
            // The caller's own parameter handed on: the caller now tests it too.
            const pi = a.id ? params.get(a.n) : undefined;
            if (pi !== undefined) passed.add(`${fn.name}#${pi}`);
          });
    }
    if (passed.size === before) break;
  }
  return out;
}

const testedCache = new WeakMap<Stmt, Map<string, number>>();

/** `testedNames` and `assignedNames` of the functions a walk from a root can step into, by root. */
const nameFactsCache = new WeakMap<FnDef, { tested: Map<string, number>; assigned: Set<string> }>();

/** A direct call of a body, for `testedNames`: each argument's variable or field name, if it is one. */
interface CallOf {
  name: string;
  /** `line:col` of the call. */
  at: string;
  args: ({ n: string; id: boolean } | undefined)[];
}

/** The direct calls of a body, in the order `walkExprs` meets them. */
function callsOf(body: Stmt): CallOf[] {
  let hit = callsCache.get(body);
  if (!hit) {
    const out: CallOf[] = [];
    walkExprs(body, (x) => {
      if (x.t !== 'call' || x.f.t !== 'id') return;
      out.push({
        name: x.f.n,
        at: `${x.p[0]}:${x.p[1]}`,
        args: x.a.map((arg) => {
          const a = stripCasts(arg);
          return a.t === 'id' ? { n: a.n, id: true } : a.t === 'fld' ? { n: a.f, id: false } : undefined;
        }),
      });
    });
    hit = out;
    callsCache.set(body, hit);
  }
  return hit;
}

const callsCache = new WeakMap<Stmt, CallOf[]>();

/** The variables and fields the functions assign with `=` (by last name, as `testedNames` counts). */
function assignedNames(fns: Iterable<FnDef>): Set<string> {
  const out = new Set<string>();
  for (const fn of fns) {
    let names = assignedCache.get(fn.body);
    if (!names) {
      const found = new Set<string>();
      walkExprs(fn.body, (x) => {
        if (x.t !== 'asg' || x.op !== '=') return;
        const l = stripCasts(x.l);
        const n = l.t === 'id' ? l.n : l.t === 'fld' ? l.f : undefined;
        if (n) found.add(n);
      });
      names = found;
      assignedCache.set(fn.body, names);
    }
    for (const n of names) out.add(n);
  }
  return out;
}

const assignedCache = new WeakMap<Stmt, Set<string>>();

/** Groups no name refers to any more are out of reach: stop tracking them. */
function dropNameless(s: State): void {
  const named = new Set(s.res.values());
  // A mapping still held when its last name goes (a helper's local) is leaked, not gone: it stays, nameless,
  // so failure paths report it and halt (which cannot name it) never releases it.
  for (const [gid, g] of [...s.groups]) {
    if (named.has(gid)) continue;
    const failed = g.st === 'cond' && g.sym !== undefined && s.cons.get(g.sym)?.z === false;
    if (g.st === 'released' || g.st === 'null' || failed) s.groups.delete(gid);
  }
}

/** Loop iterations on a path between two steps, oldest first. */
function loopsBetween(events: Event | null, from: number, to: number): { file: string; p: Pos; at: number }[] {
  const out: { file: string; p: Pos; at: number }[] = [];
  for (let e = events; e && e.step >= from; e = e.prev)
    if (e.kind === 'loop' && e.step <= to) out.unshift({ file: e.file, p: e.p, at: e.step });
  return out;
}

/**
 * The first `goto` or `return` at or after a step, in initialize or in a
 * function that was on the call stack when the mapping was made (the helper
 * that made it, p12). A `break` or `continue` only moves inside the function
 * (out of a `do { } while (FALSE)`, a loop or a `switch`): the path is left
 * by the jump that follows it. A helper called after the mapping never holds
 * the report: its caller's jump is where the path leaves with the mapping.
 */
/** The call that returned an unknown result, for the branches that later test it. */
function birth(s: State, ctx: Ctx, e: Extract<Expr, { t: 'call' }>): Birth {
  return { at: s.step, file: ctx.fn.file, p: e.p, text: exprText(e.f) };
}

function firstJumpFrom(events: Event | null, step: number, frames: readonly string[]): Event | undefined {
  let best: Event | undefined;
  for (let e = events; e && e.step >= step; e = e.prev)
    if ((e.kind === 'goto' || e.kind === 'return') && (e.depth === 0 || frames.includes(e.frame))) best = e;
  return best;
}
