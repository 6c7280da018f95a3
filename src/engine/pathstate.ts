/**
 * The path analysis's abstract state (see `paths.ts`) and its identity.
 *
 * Paths that reach a join point in the same state are one path. Telling
 * states apart used to build a sorted text of every state at every join;
 * now each state keeps a hash of its values, updated on every write, and
 * two states are compared entry by entry only when their hashes agree, so
 * a collision costs a comparison, never a merge of different states.
 */
import type { Expr, Pos } from './ast.js';
import { rememberedByString } from '../util/memo.js';
import { defined } from '../util/defined.js';

/** An acquire call: where it is and what its handle is stored as. */
export interface AcquireSite {
  file: string;
  fn: string;
  p: Pos;
  /** Resource key at the acquire call. */
  key: string;
  /** Text of the handle expression (`Adapter->Csr`). */
  text: string;
}

/** One call site is one id whichever path reaches it. */
export function siteId(s: AcquireSite): string {
  return `${s.file}:${String(s.p[0])}:${String(s.p[1])}:${s.key}`;
}

/** Where a value became known, for "decided at" and traces. */
export interface Origin {
  at: number;
  file: string;
  p: Pos;
  /** What decided it: `branch` (a condition's outcome) or `constant` (a failure status written in the code). */
  how: 'branch' | 'constant';
  text: string;
  /**
   * Where the outcome was fixed, when before the branch that learned it: a branch on a call's
   * result learns what the call decided when it returned.
   */
  decided?: Birth;
}

/** Where an unknown value came to be: the call that returned it. */
export interface Birth {
  at: number;
  file: string;
  p: Pos;
  /** What was called (rendered only for a trace: most unknowns are never reported). */
  callee?: Expr;
}

/**
 * A value: zero, nonzero (with its exact integer when known: enum states,
 * flag words, constants), an unknown value the path can learn about (a call
 * result, or storage read through several names), or nothing known.
 */
export type Val =
  | { k: 'Z'; o?: Origin }
  | { k: 'NZ'; o?: Origin; n?: bigint }
  /** `b`: the call that returned the unknown, when that decides it (not part of its identity). */
  | { k: 'sym'; id: string; b?: Birth }
  | { k: 'top' };

/**
 * One acquisition's state on a path. Never changed in place (a change is a new object in the state's
 * map), so states copied at every fork share their groups.
 */
export interface Group {
  readonly st: 'held' | 'cond' | 'null' | 'released';
  readonly sym?: string;
  readonly site: AcquireSite;
  readonly acqStep: number;
  /** A call through a function pointer happened while it was held: it may have been released there. */
  readonly behindPointer?: boolean;
  /** Invocations on the call stack when it was acquired (where a leak of it may be reported). */
  readonly frames: readonly string[];
}

export interface Event {
  /** `loop`: the path goes round a loop again (for traces). */
  kind: 'goto' | 'break' | 'continue' | 'return' | 'loop';
  /** The invocation it happened in. */
  frame: string;
  file: string;
  fn: string;
  p: Pos;
  step: number;
  depth: number;
  prev: Event | null;
}

export interface State {
  vals: Vals;
  res: Map<string, string>;
  groups: Map<string, Group>;
  cons: Map<string, { z: boolean; o: Origin }>;
  step: number;
  events: Event | null;
  /**
   * The condition that could go either way on this path whose outcome was fixed last (a branch on
   * a call's earlier result was fixed when the call returned, so a later branch may stay the one).
   */
  lastFork?: Origin;
  /** Loop heads this path has evaluated (frame:node). */
  loops: Set<string>;
  /** Set when a condition split this path from a sibling (both truths possible): which split. */
  split?: number;
}

/** The storage a flag key is a bit of (`DEV.Flags` of `DEV.Flags&4`); none for a plain key. */
function flagBase(k: string): string | undefined {
  const amp = k.indexOf('&');
  return amp < 0 ? undefined : k.slice(0, amp);
}

/** A key naming a struct field (`DEV.State`, `?.Flags&4`), not a variable. */
export function isFieldKey(k: string): boolean {
  const amp = k.indexOf('&');
  const end = amp < 0 ? k.length : amp;
  const colon = k.indexOf(':');
  if (colon >= 0 && colon < end) return false;
  const dot = k.indexOf('.');
  return dot >= 0 && dot < end;
}

/** FNV-1a of a string, 32 bits (remembered: the same keys are hashed again and again). */
const strHash = rememberedByString(fnv);

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit values into one (order matters). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

function valCode(v: Val): number {
  switch (v.k) {
    case 'Z':
      return 1;
    case 'NZ':
      return 2;
    case 'top':
      return 3;
    default:
      return mix(4, strHash(v.id));
  }
}

/** Does a value count in the state's identity? A field read with nothing known is unknown either way. */
function counts(k: string, v: Val): boolean {
  return v.k !== 'top' || !isFieldKey(k);
}

function entryHash(k: string, v: Val): number {
  return mix(strHash(k), valCode(v));
}

/** What identity compares of two values: their kind, and a symbol's name. */
function sameVal(a: Val, b: Val): boolean {
  return a.k === b.k && (a.k !== 'sym' || a.id === (b as { id: string }).id);
}

/** The symbol a value refers to (`!s` mirrors `s`). */
function symOf(v: Val): string | undefined {
  if (v.k !== 'sym') return undefined;
  return v.id.charCodeAt(0) === 33 ? v.id.slice(1) : v.id;
}

/**
 * The entries holding one symbol (or its negation): how many, and the sum of their hashes as they
 * are and as they would be were the symbol decided zero or non-zero (`seen`). Never changed in
 * place: a copy of the values shares them.
 */
interface SymEntries {
  readonly n: number;
  readonly raw: number;
  readonly ifZero: number;
  readonly ifNonZero: number;
}

/**
 * The values of a state by storage key: a map that also keeps the sum of
 * its counted entries' hashes, how many entries count, and, per symbol its
 * values refer to, those entries' sums (`SymEntries`: identity reads a
 * decided symbol as the zero or non-zero it was decided to be).
 */
export class Vals {
  private m: Map<string, Val>;
  private syms: Map<string, SymEntries>;
  /** Sum (mod 2^32) of the hashes of the counted entries. */
  h: number;
  /** How many entries count. */
  n: number;

  /**
   * How many flag keys (`DEV.Flags&4`) each storage has: an assignment to `DEV.Flags` forgets its
   * flags, and looking them up by scanning every key cost more than the rest of the assignment.
   */
  private flags: Map<string, number>;

  constructor(from?: Vals) {
    if (from) {
      this.m = new Map(from.m);
      this.syms = new Map(from.syms);
      this.flags = from.flags.size ? new Map(from.flags) : new Map<string, number>();
      this.h = from.h;
      this.n = from.n;
    } else {
      this.m = new Map();
      this.syms = new Map();
      this.flags = new Map();
      this.h = 0;
      this.n = 0;
    }
  }

  get size(): number {
    return this.m.size;
  }

  get(k: string): Val | undefined {
    return this.m.get(k);
  }

  has(k: string): boolean {
    return this.m.has(k);
  }

  set(k: string, v: Val): this {
    const old = this.m.get(k);
    if (old !== undefined) this.forget(k, old);
    else {
      const base = flagBase(k);
      if (base !== undefined) this.flags.set(base, (this.flags.get(base) ?? 0) + 1);
    }
    this.m.set(k, v);
    if (counts(k, v)) {
      this.h = (this.h + entryHash(k, v)) | 0;
      this.n++;
    }
    if (v.k === 'sym') this.noteSym(k, v.id, 1);
    return this;
  }

  delete(k: string): boolean {
    const old = this.m.get(k);
    if (old === undefined) return false;
    this.forget(k, old);
    const base = flagBase(k);
    if (base !== undefined) {
      const c = this.flags.get(base) ?? 0;
      if (c <= 1) this.flags.delete(base);
      else this.flags.set(base, c - 1);
    }
    return this.m.delete(k);
  }

  /** Forgets every flag of storage `k` (`k&4`, `k&8`...). */
  deleteFlagsOf(k: string): void {
    if (!this.flags.has(k)) return;
    const prefix = `${k}&`;
    for (const fk of [...this.m.keys()]) if (fk.startsWith(prefix) && flagBase(fk) === k) this.delete(fk);
  }

  private forget(k: string, v: Val): void {
    if (counts(k, v)) {
      this.h = (this.h - entryHash(k, v)) | 0;
      this.n--;
    }
    if (v.k === 'sym') this.noteSym(k, v.id, -1);
  }

  /** Adds (`by` 1) or takes away (-1) entry `k` holding symbol value `id` from its symbol's sums. */
  private noteSym(k: string, id: string, by: 1 | -1): void {
    const neg = id.charCodeAt(0) === 33;
    const sym = neg ? id.slice(1) : id;
    const was = this.syms.get(sym);
    const n = (was?.n ?? 0) + by;
    if (n <= 0) {
      if (by < 0) defined(was, `count of symbol ${sym}`);
      this.syms.delete(sym);
      return;
    }
    const key = strHash(k);
    const raw = mix(key, mix(4, strHash(id)));
    const zero = mix(key, 1);
    const nonZero = mix(key, 2);
    // Decided zero, the symbol reads zero and its negation non-zero; decided non-zero, the reverse.
    this.syms.set(sym, {
      n,
      raw: ((was?.raw ?? 0) + by * raw) | 0,
      ifZero: ((was?.ifZero ?? 0) + by * (neg ? nonZero : zero)) | 0,
      ifNonZero: ((was?.ifNonZero ?? 0) + by * (neg ? zero : nonZero)) | 0,
    });
  }

  /** Does some value refer to this symbol? */
  refers(sym: string): boolean {
    return this.syms.has(sym);
  }

  /**
   * The sum of the counted entries' hashes, each as `seen` gives it where `decided` (the state's
   * constraints) decides its symbol: the entries holding a symbol are summed apart (`SymEntries`).
   */
  seenHash(decided: ReadonlyMap<string, { z: boolean }>): number {
    let h = this.h;
    if (decided.size < this.syms.size) {
      for (const [sym, c] of decided) {
        const e = this.syms.get(sym);
        if (e) h = (h - e.raw + (c.z ? e.ifZero : e.ifNonZero)) | 0;
      }
    } else
      for (const [sym, e] of this.syms) {
        const c = decided.get(sym);
        if (c) h = (h - e.raw + (c.z ? e.ifZero : e.ifNonZero)) | 0;
      }
    return h;
  }

  keys(): IterableIterator<string> {
    return this.m.keys();
  }

  values(): IterableIterator<Val> {
    return this.m.values();
  }

  [Symbol.iterator](): IterableIterator<[string, Val]> {
    return this.m.entries();
  }
}

/**
 * The call that made symbol `sym` is made again (a loop's next round reuses its call site's symbol):
 * storage still holding the earlier result keeps what the path learned of it as a plain value, and
 * what it did not learn as unknown, so the new result's test says nothing of the old storage.
 * rtlnwifi allocates each queue's array in one loop: the high queue's failed allocation made the
 * normal queue's array, tested non-NULL a round before, read NULL.
 */
export function detachSymbol(s: State, sym: string): void {
  if (!s.vals.refers(sym)) return;
  const c = s.cons.get(sym);
  const fixed: [string, Val][] = [];
  for (const [k, v] of s.vals) {
    if (symOf(v) !== sym || v.k !== 'sym') continue;
    // `!sym` is zero exactly where `sym` is not.
    const zero = c === undefined ? undefined : v.id.charCodeAt(0) === 33 ? !c.z : c.z;
    fixed.push([k, zero === undefined ? { k: 'top' } : zero ? { k: 'Z', o: c?.o } : { k: 'NZ', o: c?.o }]);
  }
  for (const [k, v] of fixed) s.vals.set(k, v);
}

/** When a decision was fixed: at its call's return, or at the branch. */
export function decidedAt(o: Origin): number {
  return o.decided?.at ?? o.at;
}

export function clone(s: State): State {
  return {
    vals: new Vals(s.vals),
    res: new Map(s.res),
    // Groups are never changed in place: the copy shares them.
    groups: new Map(s.groups),
    cons: new Map(s.cons),
    step: s.step,
    events: s.events,
    lastFork: s.lastFork,
    loops: new Set(s.loops),
    ...(s.split !== undefined ? { split: s.split } : {}),
  };
}

export function newState(): State {
  return {
    vals: new Vals(),
    res: new Map(),
    groups: new Map(),
    cons: new Map(),
    step: 0,
    events: null,
    loops: new Set(),
  };
}

/** The symbols the groups' statuses name (few: one per acquisition whose status is still read). */
function statusSymbols(s: State): string[] {
  const out: string[] = [];
  for (const g of s.groups.values()) if (g.sym !== undefined) out.push(g.sym);
  return out;
}

const ZERO: Val = { k: 'Z' };
const NONZERO: Val = { k: 'NZ' };

/**
 * A value as identity sees it: a symbol the path has decided is the zero or non-zero it was decided
 * to be. `if (p) { Free(p); p = NULL; }` leaves `p` NULL on both arms, as the symbol tested zero on one
 * and as NULL on the other: one state, not two (a free routine's ladder of such tests doubled its
 * paths at each). What else the symbol told (where it was decided) is no part of identity, as it is
 * not for a plain zero.
 */
function seen(s: State, v: Val): Val {
  if (v.k !== 'sym') return v;
  const neg = v.id.charCodeAt(0) === 33;
  const c = s.cons.get(neg ? v.id.slice(1) : v.id);
  if (!c) return v;
  return c.z !== neg ? ZERO : NONZERO;
}

/**
 * The constraints that count in identity: those on a symbol a group's status names. One that values
 * hold is compared through them, as the zero or non-zero it was decided to be (`seen`).
 */
function countedConstraints(s: State): [string, boolean][] {
  const out: [string, boolean][] = [];
  if (s.cons.size === 0) return out;
  for (const sym of statusSymbols(s)) {
    const c = s.cons.get(sym);
    if (c && !out.some(([k]) => k === sym)) out.push([sym, c.z]);
  }
  return out;
}

const STATUS = { held: 1, cond: 2, null: 3, released: 4 } as const;

/**
 * Value keys identity leaves out: those a predicate names, or a set of keys (a join's dead locals,
 * looked up rather than asked of every value).
 */
export type Ignore = ((k: string) => boolean) | ReadonlySet<string>;

const asPredicate = (ignore: Ignore | undefined): ((k: string) => boolean) | undefined =>
  typeof ignore === 'function' || ignore === undefined ? ignore : (k) => ignore.has(k);

/**
 * Hash of a state's identity: its counted values (less those `ignore` names), each as `seen` gives it,
 * what each name of a mapping refers to, the groups' statuses, the constraints on the symbols those
 * statuses name, and the loops entered.
 */
export function stateHash(s: State, ignore?: Ignore): number {
  let v = s.vals.seenHash(s.cons);
  if (typeof ignore === 'function') {
    for (const [k, x] of s.vals) if (counts(k, x) && ignore(k)) v = (v - entryHash(k, seen(s, x))) | 0;
  } else if (ignore)
    for (const k of ignore) {
      const x = s.vals.get(k);
      if (x && counts(k, x)) v = (v - entryHash(k, seen(s, x))) | 0;
    }
  let r = 0;
  for (const [k, g] of s.res) r = (r + mix(strHash(k), strHash(g))) | 0;
  let gh = 0;
  for (const [k, g] of s.groups) gh = (gh + mix(mix(strHash(k), STATUS[g.st]), g.sym ? strHash(g.sym) : 0)) | 0;
  let c = 0;
  for (const [k, z] of countedConstraints(s)) c = (c + mix(strHash(k), z ? 1 : 2)) | 0;
  let l = 0;
  for (const x of s.loops) l = (l + strHash(x)) | 0;
  return mix(mix(mix(mix(v >>> 0, r >>> 0), gh >>> 0), c >>> 0), l >>> 0);
}

/**
 * What is held and on which statuses (`heldKey` in `pathmerge.ts`), as a number: the names of
 * each resource and each group's status and, unless it is released, what its status symbol is
 * known to be. Two seeds give two independent 32-bit hashes, used together as a 64-bit key.
 */
export function resourceHash(s: State, seed: number): number {
  let r = seed;
  for (const [k, g] of s.res) r = (r + mix(mix(seed, strHash(k)), strHash(g))) | 0;
  let gh = 0;
  for (const [k, g] of s.groups) {
    // A released group holds nothing whichever way its acquisition went: how that went tells no
    // finding apart (a cleanup that frees what a failed loop allocated leaves one state per round).
    const c = g.sym && g.st !== 'released' ? s.cons.get(g.sym) : undefined;
    gh = (gh + mix(mix(mix(seed, strHash(k)), STATUS[g.st]), c ? (c.z ? 1 : 2) : 0)) | 0;
  }
  return mix(r >>> 0, gh >>> 0);
}

/** What identity compares of a state, frozen (the state itself goes on down its path and changes). */
export interface Snapshot {
  /** Counted values: key, value, key, value... */
  vals: (string | Val)[];
  res: [string, string][];
  groups: [string, Group['st'], string | undefined][];
  /** Constraints on live symbols: key, zero. */
  cons: [string, boolean][];
  loops: string[];
}

export function snapshot(s: State, skip?: Ignore): Snapshot {
  const ignore = asPredicate(skip);
  const vals: (string | Val)[] = [];
  for (const [k, x] of s.vals) if (counts(k, x) && !ignore?.(k)) vals.push(k, seen(s, x));
  const groups: Snapshot['groups'] = [];
  for (const [k, g] of s.groups) groups.push([k, g.st, g.sym]);
  return { vals, res: [...s.res], groups, cons: countedConstraints(s), loops: [...s.loops] };
}

/** Is the state the one the snapshot froze, as identity sees states? */
export function matches(a: Snapshot, b: State, skip?: Ignore): boolean {
  const ignore = asPredicate(skip);
  if (a.res.length !== b.res.size || a.groups.length !== b.groups.size || a.loops.length !== b.loops.size) return false;
  for (const [k, g] of a.res) if (b.res.get(k) !== g) return false;
  for (const [k, st, sym] of a.groups) {
    const g = b.groups.get(k);
    if (g?.st !== st || (g.sym ?? '') !== (sym ?? '')) return false;
  }
  for (const x of a.loops) if (!b.loops.has(x)) return false;
  let n = b.vals.n;
  if (ignore) for (const [k, x] of b.vals) if (counts(k, x) && ignore(k)) n--;
  if (a.vals.length / 2 !== n) return false;
  for (let i = 0; i < a.vals.length; i += 2) {
    const k = a.vals[i] as string;
    const x = b.vals.get(k);
    if (!x || !counts(k, x) || ignore?.(k) || !sameVal(a.vals[i + 1] as Val, seen(b, x))) return false;
  }
  const counted = countedConstraints(b);
  if (counted.length !== a.cons.length) return false;
  for (const [k, z] of a.cons) if (!counted.some(([k2, z2]) => k2 === k && z2 === z)) return false;
  return true;
}

/**
 * States seen at one place, by hash and, where hashes agree, entry by entry:
 * `add` is false when an equal state was seen before.
 */
export class SeenStates {
  private readonly byHash = new Map<number, { tag: string; snap: Snapshot }[]>();

  /** `hash`: of the state and what else tells it apart; `tag`: that else, exactly. */
  add(hash: number, tag: string, s: State, ignore?: Ignore): boolean {
    const list = this.byHash.get(hash);
    if (list) {
      for (const x of list) if (x.tag === tag && matches(x.snap, s, ignore)) return false;
      list.push({ tag, snap: snapshot(s, ignore) });
    } else this.byHash.set(hash, [{ tag, snap: snapshot(s, ignore) }]);
    return true;
  }
}
