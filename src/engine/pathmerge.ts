/**
 * Where paths merge. At a join point the walk explores distinct states in full
 * up to the join width, then merges arrivals that agree on what the findings
 * depend on; at a helper's return, exits the caller cannot tell apart are one
 * exit. Merging can only drop a path (a miss), never invent a leak.
 */
import type { Expr } from './ast.js';
import type { Cfg } from './cfg.js';
import { exprText } from './extract.js';
import { stripCasts, type TypeEnv } from './keys.js';
import { keyOf, type Analysis, type Exit } from './pathcontext.js';
import { isRetested } from './pathnames.js';
import { foldElements } from './pathresource.js';
import { countersOf } from './pathcounter.js';
import { livenessOf, type Liveness } from './pathlive.js';
import type { FnDef } from './program.js';
import { SeenStates, isFieldKey, resourceHash, stateHash, type Origin, type State } from './pathstate.js';

/**
 * What is held, and on which statuses: the part of a state the findings depend on, as a 64-bit key
 * (two independent hashes, `resourceHash`).
 */
function heldKey(s: State): string {
  return `${String(resourceHash(s, 1))}:${String(resourceHash(s, 0x5bd1e995))}`;
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
  return v.k === 'NZ' ? `N${String(v.n ?? '')}${v.o ? decisionKey(v.o) : ''}` : v.k === 'Z' ? 'Z' : 'T';
}

/**
 * Where a failure was decided: a leak is reported at the first jump after it, so two failing paths
 * decided in different places (two helpers' calls, tested by one `if` of the caller) stay apart.
 */
function decisionKey(o: Origin): string {
  const d = o.decided ? `<${o.decided.file}:${String(o.decided.p[0])}:${String(o.decided.p[1])}` : '';
  return `@${o.file}:${String(o.p[0])}:${String(o.p[1])}${d}`;
}

/** The arrivals at one invocation's join points, and which of them are worth walking on. */
export class JoinPoints {
  private readonly returned: Expr[];
  private readonly seen = new SeenStates();
  private readonly coarseSeen = new Set<string>();
  private readonly width = new Map<number, number>();
  /** This invocation's small loop counters (`pathcounter.ts`) by name, with their keys. */
  private readonly counterKeys: [string, string][];
  /** Which locals are read again from each node on (`pathlive.ts`). */
  private readonly liveness: Liveness;

  constructor(
    private readonly an: Analysis,
    cfg: Cfg,
    private readonly env: TypeEnv,
    fn: FnDef,
  ) {
    this.returned = returnedStorage(cfg);
    this.counterKeys = countersOf(an, fn).map((n) => [n, `${env.frame}:${n}`]);
    this.liveness = livenessOf(cfg, fn);
  }

  /** Per join node: the keys of this invocation's locals nothing reads from there on; null when none. */
  private readonly dead = new Map<number, ReadonlySet<string> | null>();

  /**
   * Keys of this invocation's locals that nothing reads from `node` on: no part of an arrival's
   * identity there. Only a local's own key (`frame:x`): storage reached through it is keyed by its
   * type, and a struct local's fields (`frame:x.f`) stay in identity (fewer merges, never a wrong one).
   */
  private deadAt(node: number): ReadonlySet<string> | undefined {
    let keys = this.dead.get(node);
    if (keys === undefined) {
      const { locals, live } = this.liveness;
      const out = new Set<string>();
      for (const name of locals) if (!live(node, name)) out.add(`${this.env.frame}:${name}`);
      this.dead.set(node, (keys = out.size ? out : null));
    }
    return keys ?? undefined;
  }

  /**
   * This invocation's small loop counters with exact values (`pathcounter.ts`): a loop's head tells its
   * rounds apart by them (state identity does not compare exact integers, and past the width values
   * are not compared at all), or a round merged into an earlier one would never reach the round that
   * leaves the loop.
   */
  private counters(s: State, node: number): string {
    let out = '';
    for (const [name, k] of this.counterKeys) {
      if (!this.liveness.live(node, name)) continue;
      const v = s.vals.get(k);
      if (v?.k === 'Z') out += `${k}=0;`;
      else if (v?.k === 'NZ' && v.n !== undefined) out += `${k}=${String(v.n)};`;
    }
    return out;
  }

  /** Does this arrival at join `node` walk on? No when an arrival like it already did. */
  admit(node: number, s: State): boolean {
    foldElements(s);
    const n0 = this.width.get(node) ?? 0;
    // Past the width, merge by what is mapped, by the jump that led here (paths from different
    // gotos stay apart, so each goto that leaks is still reported) and by what the function will
    // return (a failing path merged into a succeeding one would hide a leak, or the reverse would
    // hide every halt finding of that mapping).
    // The last either-way decision too, where the function may be failing: the report site is
    // the first jump after it. A path that will succeed so far needs no such memory.
    const f = s.lastFork;
    // The jump that led here and the last decision keep apart paths whose leaks are reported at
    // different gotos, even when they arrive in the same state (three gotos to one cleanup label).
    if (n0 < this.an.joinWidth) {
      const tag = `${String(node)}|${this.counters(s, node)}|${s.events ? `${s.events.file}:${String(s.events.p[0])}:${String(s.events.p[1])}` : ''}|${f ? `${f.file}:${String(f.p[0])}:${String(f.p[1])}` : ''}`;
      const dead = this.deadAt(node);
      if (!this.seen.add((stateHash(s, dead) + Math.imul(node, 0x9e3779b1)) | 0, tag, s, dead)) return false;
    } else {
      const rets = this.returned.map((e) => valueSig(s, keyOf(this.an, e, this.env)));
      const succeeding = rets.length > 0 && rets.every((r) => r === 'Z');
      const h = `${String(node)}|${this.counters(s, node)}~${heldKey(s)}@${s.events ? `${s.events.file}:${String(s.events.p[0])}:${String(s.events.p[1])}` : ''}|${rets.join(',')}|${f && !succeeding ? `${f.file}:${String(f.p[0])}:${String(f.p[1])}:${f.text}` : ''}`;
      if (this.coarseSeen.has(h)) return false;
      this.coarseSeen.add(h);
    }
    this.width.set(node, n0 + 1);
    return true;
  }
}

/** The exits of one helper invocation (depth > 0) with those its caller cannot tell apart merged. */
export function mergeExits(an: Analysis, exits: Exit[], entryStep: number, frame: string): Exit[] {
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
  const forgettable = (k: string) => isFieldKey(k) && !isRetested(an, k);
  const exitKey = (x: Exit, state: string) => {
    const f = x.state.lastFork;
    const inner =
      f !== undefined && f.at > entryStep && ![...x.state.groups.values()].some((g) => g.frames.includes(frame));
    const fork = f === undefined ? '' : inner ? 'inner' : `${f.file}:${String(f.p[0])}:${String(f.p[1])}:${f.text}`;
    // A returned call result is told apart by what the path learned of it: the success and the
    // failure of one `Status = Helper(); if (Status != SUCCESS) break; ... return Status;` return the
    // same symbol, and merging them would make the caller take only one way (or, with the symbol
    // made unknown, pair one exit's state with the other's status).
    const retCon = x.ret.k === 'sym' ? x.state.cons.get(x.ret.id.replace(/^!/, '')) : undefined;
    const ret = `${x.ret.k}${String(x.ret.k === 'sym' ? x.ret.id : x.ret.k === 'NZ' ? (x.ret.n ?? '') : '')}${retCon ? (retCon.z ? 'z' : 'n') : ''}`;
    return `${state}#${ret}#${x.retRes ?? ''}#${fork}`;
  };
  const seenExits = new SeenStates();
  const distinct: Exit[] = [];
  for (const x of exits)
    if (seenExits.add(stateHash(x.state, forgettable), exitKey(x, ''), x.state, forgettable)) distinct.push(x);
  if (distinct.length <= an.joinWidth) return distinct;
  // More exits than a join explores in full: as past a join's width, exits that agree on what is
  // held, on what the function returns and on the decision that matters are one exit (a free
  // routine's independent `if (x) Free(x)` tests would otherwise multiply the caller's paths).
  const coarse = new Map<string, Exit>();
  for (const x of distinct) {
    const key = exitKey(x, heldKey(x.state));
    if (!coarse.has(key)) coarse.set(key, x);
  }
  return [...coarse.values()];
}
