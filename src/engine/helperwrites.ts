/**
 * What a helper the path does not step into may write, by storage.
 *
 * The files' lexical facts know a function's field writes by field name only
 * (`Flags` for `pRfd->Flags = 0`), so a helper that resets a receive
 * descriptor's `Flags` would make the caller forget every bit it knew of
 * `Adapter->Flags`. Here each of those writes is named as the path names
 * storage (`RFD.Flags`, `ADAPTER.Flags`), from the helper's own syntax and
 * variable types: two fields of one name in two different structs are two
 * storages, and a write of one leaves the other known.
 *
 * Only a refinement of the lexical facts: a name they do not list is never
 * written here, and a name they list whose write the syntax does not show
 * (inside a macro, a region read another way) stays a write of that field
 * in any struct (`?.Flags`).
 */
import type { Expr } from './ast.js';
import { holderType, stripCasts, type KeyMaker } from './keys.js';
import { walkExprs, type FnDef, type Program } from './program.js';
import { functionEnv } from './sites.js';
import { lastName } from './pathnames.js';
import { defined } from '../util/defined.js';

/** The storage a function may write, by field name: plain writes, and bits set or cleared with a mask. */
export interface HelperWrites {
  /** `=`, compound assignment, `++`/`--`: the whole value may change. */
  plain: Map<string, Set<string>>;
  /** `|=` and `&=`: which bits may change is the lexical facts' masks' business (`maskMayChange`). */
  masked: Map<string, Set<string>>;
}

/** Functions a closure visits at most (as `Program.fieldWritesOf`). */
const MAX_CLOSURE = 2000;

const ownCache = new WeakMap<FnDef, HelperWrites>();

/** The functions of a closure that write each field name, plainly or through a mask (lexical facts only). */
interface Writers {
  plain: Map<string, FnDef[]>;
  masked: Map<string, FnDef[]>;
}

const writersCache = new WeakMap<FnDef, Writers>();

function writersOf(program: Program, fn: FnDef): Writers {
  const hit = writersCache.get(fn);
  if (hit) return hit;
  const out: Writers = { plain: new Map(), masked: new Map() };
  writersCache.set(fn, out);
  const seen = new Set<FnDef>([fn]);
  const queue = [fn];
  while (queue.length && seen.size < MAX_CLOSURE) {
    const f = defined(queue.pop(), 'queued function');
    for (const n of new Set(f.fact.fieldWrites ?? [])) push(out.plain, n, f);
    for (const n of new Set(maskedNames(f))) push(out.masked, n, f);
    for (const e of program.callees(f))
      if (!seen.has(e.callee)) {
        seen.add(e.callee);
        queue.push(e.callee);
      }
  }
  return out;
}

/**
 * What helpers the path does not step into (and the functions they call) may write. Asked per
 * storage the path knows something of, and a helper's body is read only when it writes a field of
 * that name: most helpers write nothing the path knows, and reading every body of every closure
 * cost 1.65 s of the 72 drivers' rules stage (0.11 s read this way, measured in one process).
 */
export class HelperWriteSet {
  private readonly writers: Writers[];

  constructor(
    program: Program,
    private readonly keys: KeyMaker,
    targets: FnDef[],
  ) {
    this.writers = targets.map((t) => writersOf(program, t));
  }

  /** Do they write any field at all? */
  get empty(): boolean {
    return this.writers.every((w) => w.plain.size === 0 && w.masked.size === 0);
  }

  /** May they assign storage `k` (whose last name is `name`) as a whole (`=`, `+=`, `++`)? */
  mayAssign(name: string, k: string): boolean {
    return this.may('plain', name, k);
  }

  /** May they set or clear bits of storage `k` with a mask (`|=`, `&=`)? */
  mayMask(name: string, k: string): boolean {
    return this.may('masked', name, k);
  }

  private may(kind: 'plain' | 'masked', name: string, k: string): boolean {
    for (const w of this.writers)
      for (const f of w[kind].get(name) ?? [])
        for (const s of ownWrites(this.keys, f)[kind].get(name) ?? []) if (mayWrite(this.keys, s, k)) return true;
    return false;
  }
}

/**
 * Can a write of storage `w` (a helper's) change what the path knows of `k` (the path's key of the
 * same field name, perhaps a flag bit `ADAPTER.Flags&4`)? Not when each is a field of a struct the
 * program defines and the two structs differ: C gives two struct types no common storage. Where
 * either's struct is not known (`?.Flags`, a field of a field, an element), it may.
 */
export function mayWrite(keys: KeyMaker, w: string, k: string): boolean {
  const amp = k.indexOf('&');
  const hk = holderType(amp < 0 ? k : k.slice(0, amp));
  const hw = holderType(w);
  if (hk === undefined || hw === undefined || hk === hw) return true;
  return !(keys.isStruct(hk) && keys.isStruct(hw));
}

/** A function's own writes, named as storage (the lexical facts' names, refined by its syntax). */
function ownWrites(keys: KeyMaker, fn: FnDef): HelperWrites {
  const hit = ownCache.get(fn);
  if (hit) return hit;
  const plainNames = new Set(fn.fact.fieldWrites ?? []);
  const masked = new Set(maskedNames(fn));
  const out: HelperWrites = { plain: new Map(), masked: new Map() };
  if (plainNames.size || masked.size) {
    const env = functionEnv(fn);
    const note = (into: Map<string, Set<string>>, names: Set<string>, target: Expr) => {
      const k = keys.key(stripCasts(target), env);
      if (k === undefined) return;
      const name = lastName(k);
      if (names.has(name)) add(into, name, k);
    };
    walkExprs(fn.body, (x) => {
      if (x.t === 'asg') {
        // `x |= M` with a mask the lexical facts did not read as constant is a plain write there.
        if (x.op === '|=' || x.op === '&=') note(out.masked, masked, x.l);
        note(out.plain, plainNames, x.l);
      } else if ((x.t === 'post' || x.t === 'un') && (x.op === '++' || x.op === '--')) note(out.plain, plainNames, x.e);
    });
    // Written where the syntax does not show it: a field of that name in any struct.
    for (const n of plainNames) if (!out.plain.has(n)) add(out.plain, n, `?.${n}`);
    for (const n of masked) if (!out.masked.has(n)) add(out.masked, n, `?.${n}`);
  }
  ownCache.set(fn, out);
  return out;
}

/** The field names a function writes through a mask, from its lexical facts (`Flags|=F_X` → `Flags`). */
function maskedNames(fn: FnDef): string[] {
  return (fn.fact.maskedWrites ?? []).map((m) => m.slice(0, m.search(/[|&]=/)));
}

function push(m: Map<string, FnDef[]>, name: string, f: FnDef): void {
  const list = m.get(name);
  if (list) list.push(f);
  else m.set(name, [f]);
}

function add(m: Map<string, Set<string>>, name: string, k: string): void {
  const s = m.get(name);
  if (s) s.add(k);
  else m.set(name, new Set([k]));
}
