/**
 * Helper walks remembered within one analysis. A cleanup helper is called on
 * every failing path of initialize, and those paths reach it in states that
 * differ mostly in what the helper cannot see: the caller's own variables
 * (which call failed, so which status initialize returns). A helper's walk
 * reads only the rest (the storage it can name, what is held, what is known of
 * the symbols those hold, its arguments) and its calling context, so a second
 * arrival that agrees on all of that takes the first walk's exits, replayed
 * onto its own state: the caller's variables, the path's history (events,
 * steps, the last decision) and the values it had from before the call are the
 * new arrival's; what the helper changed is the first walk's, its steps moved
 * to the new path's.
 *
 * A walk is remembered only where its exits can be replayed that way: it
 * changed none of the caller's variables, and nothing it learned depends on
 * the path's history before the call (a branch decided by a call the caller
 * made earlier is decided where that call returned, which differs per path).
 * Replaying gives the exits a fresh walk gives, with the same merges: the
 * walk's joins keep paths apart by the path's last jump and decision, which
 * are the same for every arrival at the helper until the helper makes its own,
 * unless the arrival's last jump or decision lies in a function the walk went
 * through; such an arrival is walked afresh.
 */
import type { FnDef } from './program.js';
import type { Birth, Event, Group, Origin, State, Val } from './pathstate.js';
import { siteId, Vals } from './pathstate.js';
import type { Analysis, Exit } from './pathcontext.js';
import type { ShadowScope } from './pathfootprint.js';
import { defined } from '../util/defined.js';

/** An argument as a helper receives it (see `stepInto`). */
export interface Bound {
  val: Val;
  key?: string;
  pointee?: string;
}

/** Where the replayed value comes from: the arrival's own storage or argument, or the first walk. */
type Source = { from: 'key'; key: string } | { from: 'arg'; i: number } | { from: 'new'; v: Val };

interface ExitReplay {
  vals: { k: string; src: Source | undefined }[];
  /**
   * `byArrival`: learned in the walk of a symbol the arrival's own call decided (a test of what an
   * earlier acquisition returned): it was decided where that call returned on the arrival's path.
   */
  cons: { k: string; c: { z: boolean; o: Origin; byArrival?: true } | undefined }[];
  /**
   * `acqFrom`: acquired before the call under another name (an array's earlier element, kept apart
   * from the new one under a name of its own, `keepOtherInstance`): the arrival's group of that name
   * gives the acquire step.
   */
  groups: { k: string; g: Group | undefined; acqFromEntry: boolean; acqFrom?: string }[];
  /** Names the walk bound to a group (the group's id) or unbound (undefined). */
  res: { k: string; g: string | undefined }[];
  /** Events the helper added, oldest first. */
  events: Event[];
  /** The last decision: the arrival's, or one made in the helper. */
  lastFork: Origin | 'entry' | undefined;
  split: number | 'entry';
  steps: number;
  ret: Source;
  retP?: Exit['retP'];
  retRes?: string;
}

export interface Summary {
  step: number;
  exits: ExitReplay[];
  splits: number;
  openSplits: number;
  splitBase: number;
  walkSteps: number;
  /** Functions the walk went through (an arrival whose last jump or decision is in one is walked afresh). */
  walked: FnDef[];
  /**
   * How the arrival named each group the walk changed, dropped or renamed (`GroupNames`): a name out
   * of sight (a caller's variable holding what the helper frees) keeps a group the walk drops the
   * names in sight of, and a step that reads all held storage sees the walk's change through one of a
   * struct it may ask about. An arrival that names such a group otherwise is walked afresh.
   */
  names: Map<string, GroupNames>;
  /** What the walk may ask of storage out of sight. */
  scope: ShadowScope;
}

/** A group's names in sight, and its names as the walk can tell them apart (`namesOf`). */
interface GroupNames {
  inSight: ReadonlySet<string>;
  text: string;
}

/** Is `k` storage of one of these invocations (`Init#0:Status`, `*Init#0:p`)? */
export function isPrivate(k: string, frames: readonly string[]): boolean {
  let i = 0;
  while (k.charCodeAt(i) === 42 || k.charCodeAt(i) === 38) i++;
  for (const f of frames) if (k.startsWith(f, i) && k.charCodeAt(i + f.length) === 58) return true;
  return false;
}

function valText(v: Val): string {
  switch (v.k) {
    case 'sym':
      return `s${v.id}`;
    case 'NZ':
      return v.n === undefined ? 'N' : `N${String(v.n)}`;
    case 'Z':
      return 'Z';
    default:
      return 'T';
  }
}

/**
 * The storage a helper's walk can reach (`pathfootprint.ts`): every key when undefined. A group is
 * in sight when a key in sight names it, or no key does; a symbol when a value or group in sight
 * holds it, or an argument does, or the walk made it.
 */
export type Sight = ((k: string) => boolean) | undefined;

/** The groups the keys in sight name, and those no key names. */
function groupsInSight(entry: State, sight: (k: string) => boolean): Set<string> {
  const out = new Set<string>();
  const named = new Set<string>();
  for (const [k, g] of entry.res) {
    named.add(g);
    if (sight(k)) out.add(g);
  }
  for (const g of entry.groups.keys()) if (!named.has(g)) out.add(g);
  return out;
}

/** A walk that may take every step that reads storage out of sight. */
const ANY_SHADOW: ShadowScope = { holders: true, held: 'all', gone: 'all' };

/** What a helper's walk can read of its arrival, as text; undefined where it is not worth remembering. */
export function summaryKey(
  fn: FnDef,
  entry: State,
  args: Bound[],
  frames: readonly string[],
  site: string,
  sight?: Sight,
  /** What the walk may ask of storage out of sight (`pathfootprint.ts`). */
  shadowScope: ShadowScope = ANY_SHADOW,
): string | undefined {
  for (const a of args) if (a.pointee !== undefined && isPrivate(a.pointee, frames)) return undefined;
  const used = new Set<string>();
  const sym = (v: Val) => {
    if (v.k === 'sym') used.add(v.id.charCodeAt(0) === 33 ? v.id.slice(1) : v.id);
  };
  const vals: string[] = [];
  for (const [k, v] of entry.vals) {
    if (isPrivate(k, frames) || (sight && !sight(k))) continue;
    vals.push(`${k}=${valText(v)}`);
    sym(v);
  }
  vals.sort();
  const res: string[] = [];
  // Out of sight, what some steps still read of all held storage: the struct types holding handles
  // (`forgetDeviceMemory`), whether a type has a field still held or maybe held (`hidesHeldResource`),
  // and whether one was released or found NULL (`stepPointer`); each only where the walk may take
  // that step (`shadowScope`). Which names out of sight a group in sight has is checked on replay,
  // for the groups the walk changed (`Summary.names`).
  const shadow = new Set<string>();
  const inSightGroups = sight ? groupsInSight(entry, sight) : undefined;
  for (const [k, g] of entry.res) {
    if (!sight || sight(k)) {
      res.push(`${k}>${g}`);
      continue;
    }
    // Only a field key is read by those steps.
    const dot = k.indexOf('.');
    const ty = dot > 0 ? k.slice(0, dot) : undefined;
    if (ty !== undefined && shadowScope.holders) shadow.add(ty);
    const askHeld = ty !== undefined && asks(shadowScope.held, ty);
    const askGone = ty !== undefined && asks(shadowScope.gone, ty);
    if (!askHeld && !askGone) continue;
    const st = entry.groups.get(g)?.st;
    if (askHeld && (st === 'held' || st === 'cond')) shadow.add(`${ty}~held`);
    else if (askGone && (st === 'released' || st === 'null')) shadow.add(`${ty}~gone`);
  }
  res.sort();
  res.push(...[...shadow].sort());
  const groups: string[] = [];
  for (const [k, g] of entry.groups) {
    if (inSightGroups && !inSightGroups.has(k)) continue;
    // The invocations it was acquired in too: a helper's exits merge by whether its own frame is one.
    groups.push(`${k}:${g.st}:${g.sym ?? ''}:${g.behindPointer ? 'p' : ''}:${g.frames.join('/')}`);
    if (g.sym) used.add(g.sym);
  }
  groups.sort();
  const argText = args.map((a) => {
    sym(a.val);
    return `${valText(a.val)}@${a.key ?? ''}@${a.pointee ?? ''}`;
  });
  const cons: string[] = [];
  for (const u of used) {
    const c = entry.cons.get(u);
    if (c) cons.push(`${u}${c.z ? 'z' : 'n'}`);
  }
  cons.sort();
  return [
    // The definition, not the name: two builds of one helper (`x5.c`, `x6.c`) are two walks.
    `${fn.name}#${String(fn.id)}`,
    frames.length ? frames[frames.length - 1] : '',
    site,
    argText.join(','),
    vals.join(','),
    res.join(','),
    groups.join(','),
    cons.join(','),
  ].join('\n');
}

/** Does this position lie in one of these functions' bodies? */
function inside(fns: readonly FnDef[], file: string, line: number): boolean {
  for (const f of fns) if (f.file === file && line >= f.fact.p[0] && line <= f.fact.endLine) return true;
  return false;
}

/** Is the arrival's last jump or decision in a function the walk went through? */
export function historyInside(s: State, walked: readonly FnDef[]): boolean {
  if (s.events && inside(walked, s.events.file, s.events.p[0])) return true;
  return s.lastFork !== undefined && inside(walked, s.lastFork.file, s.lastFork.p[0]);
}

const after = (at: number | undefined, step: number) => at === undefined || at > step;
const originAfter = (o: Origin | undefined, step: number) =>
  o === undefined || (o.at > step && after(o.decided?.at, step));
const valAfter = (v: Val, step: number) =>
  v.k === 'sym' ? after(v.b?.at, step) : v.k === 'top' || originAfter(v.o, step);

/**
 * The replay of a finished walk, or undefined when it cannot be replayed (see the module comment).
 * `pristine` is the arrival as it was before the walk; `exits` are the walk's, after merging.
 */
export function summarise(
  pristine: State,
  args: Bound[],
  frames: readonly string[],
  exits: Exit[],
  counters: { splits: number; openSplits: number; splitBase: number; walkSteps: number },
  walked: FnDef[],
  sight?: Sight,
  shadowScope: ShadowScope = ANY_SHADOW,
): Summary | undefined {
  const step = pristine.step;
  if (historyInside(pristine, walked)) return undefined;
  // The arrival's part out of sight is a later arrival's own: the walk must have left it as it was.
  const inSight = sight ? groupsInSight(pristine, sight) : undefined;
  // What the path knows of a symbol is the walk's to change only where storage in sight or an argument
  // holds it, or nothing does (see `consSeen`): one that storage out of sight holds is a later
  // arrival's own.
  const symsInSight = new Set<string>();
  const symsOutOfSight = new Set<string>();
  if (sight) {
    const symOf = (v: Val, into: Set<string>) => {
      if (v.k === 'sym') into.add(v.id.charCodeAt(0) === 33 ? v.id.slice(1) : v.id);
    };
    for (const [k, v] of pristine.vals) symOf(v, sight(k) ? symsInSight : symsOutOfSight);
    for (const [k, g] of pristine.groups) if (g.sym) (inSight?.has(k) ? symsInSight : symsOutOfSight).add(g.sym);
    for (const a of args) symOf(a.val, symsInSight);
    for (const x of symsInSight) symsOutOfSight.delete(x);
  }
  // A symbol nothing holds (a status an earlier call at one of the walk's call sites returned, tested and
  // let go) cannot be read by the walk: what the path knew of it the walk only forgets, or replaces when
  // its own call there returns anew. A later arrival that knew something of it forgets it alike.
  const consSeen = (k: string) => !sight || !symsOutOfSight.has(k);
  const origin = new Map<Val, Source>();
  args.forEach((a, i) => {
    if (!origin.has(a.val)) origin.set(a.val, { from: 'arg', i });
  });
  // Only storage the helper can read: the same value may also sit in a caller variable, which a
  // later arrival need not share.
  for (const [k, v] of pristine.vals)
    if (!origin.has(v) && !isPrivate(k, frames) && (!sight || sight(k))) origin.set(v, { from: 'key', key: k });
  const source = (v: Val): Source | undefined => {
    const o = origin.get(v);
    if (o) return o;
    return valAfter(v, step) ? { from: 'new', v } : undefined;
  };
  const out: ExitReplay[] = [];
  for (const x of exits) {
    const s = x.state;
    // The caller's variables and loops are the arrival's: the walk must not have changed them.
    if (s.loops.size !== pristine.loops.size) return undefined;
    for (const l of s.loops) if (!pristine.loops.has(l)) return undefined;
    const vals: ExitReplay['vals'] = [];
    for (const [k, v] of s.vals) {
      const was = pristine.vals.get(k);
      if (was === v) continue;
      if (isPrivate(k, frames) || (sight && !sight(k))) return undefined;
      const src = source(v);
      if (!src) return undefined;
      vals.push({ k, src });
    }
    for (const k of pristine.vals.keys())
      if (!s.vals.has(k)) {
        if (isPrivate(k, frames) || (sight && !sight(k))) return undefined;
        vals.push({ k, src: undefined });
      }
    const cons: ExitReplay['cons'] = [];
    for (const [k, c] of s.cons) {
      if (pristine.cons.get(k) === c) continue;
      if (!consSeen(k)) return undefined;
      if (originAfter(c.o, step)) cons.push({ k, c: { z: c.z, o: c.o } });
      // A branch of the walk on what a call before it returned: decided where that call returned,
      // which a later arrival has at its own step (`birthOf`).
      else if (c.o.at > step && c.o.decided && sameBirth(c.o.decided, birthOf(pristine, k)))
        cons.push({ k, c: { z: c.z, o: c.o, byArrival: true } });
      else return undefined;
    }
    for (const k of pristine.cons.keys())
      if (!s.cons.has(k)) {
        if (!consSeen(k)) return undefined;
        cons.push({ k, c: undefined });
      }
    const groups: ExitReplay['groups'] = [];
    for (const [k, g] of s.groups) {
      const was = pristine.groups.get(k);
      if (
        was?.st === g.st &&
        was.sym === g.sym &&
        was.behindPointer === g.behindPointer &&
        was.acqStep === g.acqStep &&
        was.site === g.site &&
        was.frames === g.frames
      )
        continue;
      if (was && inSight && !inSight.has(k)) return undefined;
      const acqFromEntry = was?.acqStep === g.acqStep;
      let acqFrom: string | undefined;
      if (!acqFromEntry && g.acqStep <= step) {
        acqFrom = arrivalGroup(pristine, g);
        if (acqFrom === undefined) return undefined;
      }
      groups.push({ k, g: { ...g }, acqFromEntry, ...(acqFrom !== undefined ? { acqFrom } : {}) });
    }
    for (const k of pristine.groups.keys())
      if (!s.groups.has(k)) {
        if (inSight && !inSight.has(k)) return undefined;
        groups.push({ k, g: undefined, acqFromEntry: false });
      }
    const res: ExitReplay['res'] = [];
    for (const [k, g] of s.res) {
      const was = pristine.res.get(k);
      if (was === g) continue;
      if (sight && !sight(k)) return undefined;
      res.push({ k, g });
    }
    for (const k of pristine.res.keys())
      if (!s.res.has(k)) {
        if (sight && !sight(k)) return undefined;
        res.push({ k, g: undefined });
      }
    const events: Event[] = [];
    let e = s.events;
    while (e !== pristine.events) {
      if (e === null) return undefined;
      events.push(e);
      e = e.prev;
    }
    events.reverse();
    let lastFork: ExitReplay['lastFork'];
    if (s.lastFork === pristine.lastFork) lastFork = 'entry';
    else if (s.lastFork && originAfter(s.lastFork, step)) lastFork = s.lastFork;
    else return undefined;
    let split: number | 'entry';
    if (s.split === pristine.split) split = 'entry';
    else if (s.split !== undefined && s.split > counters.splitBase) split = s.split;
    else return undefined;
    const ret = source(x.ret);
    if (!ret) return undefined;
    out.push({
      vals,
      cons,
      groups,
      res,
      events,
      lastFork,
      split,
      steps: s.step - step,
      ret,
      ...(x.retP ? { retP: x.retP } : {}),
      ...(x.retRes !== undefined ? { retRes: x.retRes } : {}),
    });
  }
  // The groups the walk changed or dropped, and those that lost or gained a name.
  const touched = new Set<string>();
  for (const x of out) {
    for (const g of x.groups) touched.add(g.k);
    for (const r of x.res) {
      const was = pristine.res.get(r.k);
      if (was !== undefined) touched.add(was);
      if (r.g !== undefined) touched.add(r.g);
    }
  }
  const names = new Map<string, GroupNames>();
  for (const g of touched)
    if (pristine.groups.has(g)) {
      const inSight = new Set<string>();
      for (const [k, x] of pristine.res) if (x === g && (!sight || sight(k))) inSight.add(k);
      names.set(g, { inSight, text: namesOf(pristine, g, inSight, shadowScope) });
    }
  return {
    step,
    exits: out,
    splits: counters.splits,
    openSplits: counters.openSplits,
    splitBase: counters.splitBase,
    walkSteps: counters.walkSteps,
    walked,
    names,
    scope: shadowScope,
  };
}

/**
 * A group's names as a walk can tell them: those in sight, whether any is out of sight, and the structs
 * the walk may ask about (`ShadowScope`) that hold one out of sight; as text.
 */
function namesOf(s: State, g: string, inSight: ReadonlySet<string>, scope: ShadowScope): string {
  const seen: string[] = [];
  const asked = new Set<string>();
  let outOfSight = false;
  for (const [k, x] of s.res) {
    if (x !== g) continue;
    if (inSight.has(k)) {
      seen.push(k);
      continue;
    }
    outOfSight = true;
    const dot = k.indexOf('.');
    const ty = dot > 0 ? k.slice(0, dot) : undefined;
    if (ty !== undefined && (asks(scope.held, ty) || asks(scope.gone, ty))) asked.add(ty);
  }
  return `${seen.sort().join(',')}|${outOfSight ? 'out' : ''}|${[...asked].sort().join(',')}`;
}

const asks = (types: ReadonlySet<string> | 'all', ty: string) => types === 'all' || types.has(ty);

/**
 * Where a state's symbol was born: the birth every value holding it (or its mirror) carries, and that
 * of the group whose status it is; undefined when none holds it or they disagree (a walk reads it
 * from one of them, and a replay must give what a walk would).
 */
function birthOf(s: State, sym: string): Birth | undefined {
  const births: Birth[] = [];
  for (const v of s.vals.values())
    if (v.k === 'sym' && v.b && (v.id === sym || (v.id.charCodeAt(0) === 33 && v.id.slice(1) === sym)))
      births.push(v.b);
  for (const g of s.groups.values()) if (g.sym === sym) births.push({ at: g.acqStep, file: g.site.file, p: g.site.p });
  const first = births.at(0);
  return first && births.every((b) => sameBirth(first, b)) ? first : undefined;
}

/** The same step and call (`callee` too: a trace names it). */
function sameBirth(a: Birth, b: Birth | undefined): boolean {
  return (
    b !== undefined &&
    a.callee === b.callee &&
    a.at === b.at &&
    a.file === b.file &&
    a.p[0] === b.p[0] &&
    a.p[1] === b.p[1] &&
    a.p[2] === b.p[2] &&
    a.p[3] === b.p[3]
  );
}

function shiftOrigin(o: Origin, d: number): Origin {
  return { ...o, at: o.at + d, ...(o.decided ? { decided: shiftBirth(o.decided, d) } : {}) };
}

function shiftBirth(b: Birth, d: number): Birth {
  return { ...b, at: b.at + d };
}

function shiftVal(v: Val, d: number): Val {
  if (v.k === 'sym') return v.b ? { ...v, b: shiftBirth(v.b, d) } : v;
  if (v.k === 'top' || !v.o) return v;
  return { ...v, o: shiftOrigin(v.o, d) };
}

/** The arrival's group an exit's group was made from (same acquire, same site), by name. */
function arrivalGroup(pristine: State, g: Group): string | undefined {
  // The same site by value: a group moved to another name (`keepOtherInstance`) holds a copy of it.
  const site = siteId(g.site);
  for (const [k, was] of pristine.groups) if (was.acqStep === g.acqStep && siteId(was.site) === site) return k;
  return undefined;
}

/** The remembered walk's exits for this arrival; undefined where one cannot be replayed (walk it). */
export function replay(an: Analysis, sum: Summary, entry: State, args: Bound[]): Exit[] | undefined {
  const d = entry.step - sum.step;
  // Every value a replay reads from the arrival is there (the key says so; checked, not assumed).
  for (const x of sum.exits) {
    if (x.ret.from === 'key' && !entry.vals.has(x.ret.key)) return undefined;
    for (const w of x.vals) if (w.src?.from === 'key' && !entry.vals.has(w.src.key)) return undefined;
    for (const g of x.groups) if (g.acqFrom !== undefined && !entry.groups.has(g.acqFrom)) return undefined;
    for (const c of x.cons) if (c.c?.byArrival && !birthOf(entry, c.k)) return undefined;
  }
  for (const [g, names] of sum.names)
    if (!entry.groups.has(g) || namesOf(entry, g, names.inSight, sum.scope) !== names.text) return undefined;
  const splitBase = an.splits;
  an.splits += sum.splits;
  an.openSplits += sum.openSplits;
  const value = (src: Source): Val => {
    if (src.from === 'arg') return args[src.i].val;
    if (src.from === 'key') return entry.vals.get(src.key) ?? { k: 'top' };
    return shiftVal(src.v, d);
  };
  const out: Exit[] = [];
  for (const x of sum.exits) {
    const vals = new Vals(entry.vals);
    const cons = new Map(entry.cons);
    const groups = new Map<string, Group>(entry.groups);
    // Values first read from the arrival, then written: a source names the arrival's storage.
    const writes = x.vals.map((w) => ({ k: w.k, v: w.src ? value(w.src) : undefined }));
    for (const w of writes) {
      if (w.v === undefined) vals.delete(w.k);
      else vals.set(w.k, w.v);
    }
    for (const c of x.cons) {
      if (!c.c) {
        cons.delete(c.k);
        continue;
      }
      const o = shiftOrigin(c.c.o, d);
      if (c.c.byArrival) o.decided = defined(birthOf(entry, c.k), 'the birth the replay checked');
      cons.set(c.k, { z: c.c.z, o });
    }
    for (const g of x.groups) {
      if (!g.g) {
        groups.delete(g.k);
        continue;
      }
      const was = entry.groups.get(g.k);
      if (g.acqFromEntry && was) {
        // Acquired before the call: the arrival's group, with what the helper changed of it.
        const { sym: _sym, behindPointer: _behind, ...rest } = was;
        groups.set(g.k, {
          ...rest,
          st: g.g.st,
          ...(g.g.sym !== undefined ? { sym: g.g.sym } : {}),
          ...(g.g.behindPointer !== undefined ? { behindPointer: g.g.behindPointer } : {}),
        });
      } else if (g.acqFrom !== undefined) {
        // Acquired before the call under the name the helper moved it from: acquired when the arrival's was.
        groups.set(g.k, { ...g.g, acqStep: defined(entry.groups.get(g.acqFrom)).acqStep });
      } else groups.set(g.k, { ...g.g, acqStep: g.g.acqStep + d });
    }
    let events = entry.events;
    for (const e of x.events) events = { ...e, step: e.step + d, prev: events };
    const res = new Map(entry.res);
    for (const r of x.res) {
      if (r.g === undefined) res.delete(r.k);
      else res.set(r.k, r.g);
    }
    const state: State = {
      vals,
      res,
      groups,
      cons,
      step: entry.step + x.steps,
      events,
      lastFork: x.lastFork === 'entry' ? entry.lastFork : x.lastFork ? shiftOrigin(x.lastFork, d) : undefined,
      loops: new Set(entry.loops),
    };
    if (x.split === 'entry') {
      if (entry.split !== undefined) state.split = entry.split;
    } else state.split = splitBase + (x.split - sum.splitBase);
    out.push({
      state,
      ret: value(x.ret),
      ...(x.retP ? { retP: x.retP } : {}),
      ...(x.retRes !== undefined ? { retRes: x.retRes } : {}),
    });
  }
  return out;
}
