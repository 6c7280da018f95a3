/**
 * Which names the path analysis keeps values for. A value is worth keeping only
 * where a condition or return on the walk reads its name again (`testedNames`),
 * or the walk assigns it (`assignedNames`): everything else the walk forgets, so
 * paths that differ only there merge. Counted once per walk root and shared by
 * every resource's analysis of it.
 */
import type { Expr, Stmt } from './ast.js';
import { stripCasts } from './keys.js';
import { walkExprs, walkStmts, type FnDef, type Program } from './program.js';
import type { Analysis } from './pathcontext.js';
import { rememberedByString } from '../util/memo.js';
import { quietIf } from './pathinert.js';
import { statusTest } from './pathcond.js';
import { idleCandidates, namesRead } from './pathidle.js';

/**
 * The walk's facts about names (see `testedNames`, `assignedNames`): counted over the functions the
 * walk can step into (the root and the relevant functions it reaches; a helper the walk never
 * enters tests nothing it reads), so per analysis, once per root.
 */
export function nameFacts(an: Analysis, root: FnDef): void {
  let hit = an.namesByRoot.get(root);
  if (!hit) {
    const walk = walkable(an.program, root).filter((f) => f === root || an.relevant.has(f));
    // What decides: the same count without the tests the walk goes past (`pathinert.ts`).
    const quiet = (s: Extract<Stmt, { k: 'if' }>, fn: FnDef) => quietIf(an, s, fn);
    const idle = an.skipIdle ? idleStatements(an, walk) : new Map<Stmt, Expr[]>();
    // Counts by body are shared while no statement is idle; idle ones make them this walk's own.
    const own = idle.size > 0;
    hit = {
      tested: testedNames(walk, undefined, own ? new WeakMap() : testedCache, idle),
      assigned: assignedNames(walk),
      deciding: new Set(testedNames(walk, quiet, own ? new WeakMap() : an.decidingCounts, idle).keys()),
      idle,
    };
    an.namesByRoot.set(root, hit);
  }
  an.tested = hit.tested;
  an.assigned = hit.assigned;
  an.deciding = hit.deciding;
  an.idle = hit.idle;
  an.retested = new Map();
}

/**
 * The idle statements of a walk (`pathidle.ts`): from every candidate, those that write a name read
 * outside the idle ones are dropped, until none is.
 */
function idleStatements(an: Analysis, walk: FnDef[]): Map<Stmt, Expr[]> {
  const candidates = walk.flatMap((fn) => idleCandidates(an, fn));
  const idle = new Map(candidates.map((c) => [c.stmt, c.tests]));
  for (let changed = idle.size > 0; changed;) {
    changed = false;
    const read = namesRead(an, walk, idle);
    for (const c of candidates) {
      if (!idle.has(c.stmt)) continue;
      for (const n of c.writes)
        if (read.has(n)) {
          idle.delete(c.stmt);
          changed = true;
          break;
        }
    }
  }
  return idle;
}

/** Is this storage read by a condition or return somewhere on the walk? Others need no value. */
export function isTracked(an: Analysis, k: string): boolean {
  return an.tested.has(lastName(k));
}

/**
 * Worth remembering what a test learned when another test can read it again, or when the walk
 * also assigns that storage: `if (A->Regs) { Unmap(...); A->Regs = NULL; }` ends with `A->Regs`
 * zero on both ways, and knowing it on the skipping way too lets the two paths merge.
 */
export function isRetested(an: Analysis, k: string): boolean {
  let hit = an.retested.get(k);
  if (hit === undefined) {
    hit = countRetested(an, k);
    an.retested.set(k, hit);
  }
  return hit;
}

function countRetested(an: Analysis, k: string): boolean {
  const name = lastName(k);
  const all = an.tested.get(name) ?? 0;
  // A field of a field: when every test of its name is of that form, its last two names tell it.
  const amp = k.indexOf('&');
  const parts = (amp < 0 ? k : k.slice(0, amp)).split('.');
  if (parts.length >= 3 && (an.tested.get(`${name}.`) ?? 0) === all) {
    const pair = `${parts[parts.length - 2].replace(/\[\]$/, '')}.${name}`;
    return (an.tested.get(pair) ?? 0) >= 2;
  }
  return all >= 2;
}

/** A comparison, a negation or a status test (`Status == NDIS_STATUS_SUCCESS`, `!p`, `NT_SUCCESS(s)`), as a stored value. */
function isStoredTest(e: Expr): boolean {
  const x = stripCasts(e);
  if (statusTest(x)) return true;
  if (x.t === 'un') return x.op === '!';
  return x.t === 'bin' && ['==', '!=', '<', '>', '<=', '>='].includes(x.op);
}

/** The functions a walk from `init` can step into: init and the relevant functions it reaches. */
export function walkable(program: Program, init: FnDef): FnDef[] {
  // Every function it reaches: a helper that returns a status is walked too while something is
  // held, since where it fails is where a leak is reported.
  const seen = new Set<FnDef>([init]);
  const queue = [init];
  for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
    for (const e of program.callees(f)) {
      if (!seen.has(e.callee)) {
        seen.add(e.callee);
        queue.push(e.callee);
      }
    }
  }
  return [...seen];
}

/** The variable or field a key ends with (`Flags` in `DEV.Flags&4`, `Status` in `Init#3:Status`). */
export const lastName = rememberedByString(readLastName);

function readLastName(k: string): string {
  const amp = k.indexOf('&');
  const plain = amp < 0 ? k : k.slice(0, amp);
  return plain.slice(Math.max(plain.lastIndexOf('.'), plain.lastIndexOf(':')) + 1).replace(/\[\]$/, '');
}

/**
 * The names some test or return of these functions reads outside the `idle` statements, as
 * `an.deciding` counts them for a whole walk (`pathdead.ts` counts them for a helper's).
 */
export function decidingNames(an: Analysis, fns: readonly FnDef[], idle: { has(s: Stmt): boolean }): Set<string> {
  const quiet = (s: Extract<Stmt, { k: 'if' }>, fn: FnDef) => quietIf(an, s, fn);
  return new Set(testedNames(fns, quiet, new WeakMap(), idle).keys());
}

/**
 * Identifiers and field names read by conditions and returns of these functions, with counts;
 * without the tests of the `if`s `skip` names (counted by body into `cache`).
 */
function testedNames(
  fns: Iterable<FnDef>,
  skip?: (s: Extract<Stmt, { k: 'if' }>, fn: FnDef) => boolean,
  cache: WeakMap<Stmt, Map<string, number>> = testedCache,
  idle?: { has(s: Stmt): boolean },
): Map<string, number> {
  const out = new Map<string, number>();
  /** The function whose body `conds` reads. */
  let current: FnDef | undefined;
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
    // A statement the walk goes past: none of its tests is read.
    if (!s || idle?.has(s)) return;
    switch (s.k) {
      case 'blk':
        s.b.forEach(conds);
        break;
      case 'if':
        if (!(skip && current && skip(s, current))) names(s.c);
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
        // Conditions inside expressions: `a ? b : c`, `x && F()`; and a test whose value is stored
        // (`ok = (Status == NDIS_STATUS_SUCCESS)`, then `if (!ok)`): what it reads decides as a
        // condition does, so a mapping's status read there is kept and decided by it.
        const list = s.k === 'exp' ? [s.e] : s.d.map((d) => d.init);
        if (s.k === 'decl') for (const d of s.d) if (d.init && isStoredTest(d.init)) names(d.init);
        for (const e of list)
          if (e)
            walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
              if (x.t === 'cond') names(x.c);
              else if (x.t === 'bin' && (x.op === '&&' || x.op === '||')) {
                names(x.l);
                names(x.r);
              } else if (x.t === 'asg' && x.op === '=' && isStoredTest(x.r)) names(x.r);
            });
        break;
      }
      default:
        break;
    }
  };
  const list = [...fns];
  for (const fn of list) {
    let counts = cache.get(fn.body);
    if (!counts) {
      counts = new Map();
      into = counts;
      current = fn;
      conds(fn.body);
      into = out;
      cache.set(fn.body, counts);
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
    return n !== undefined && ((cache.get(fn.body)?.has(n) ?? false) || extra.has(`${fn.name}#${String(i)}`));
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
            const key = `${fn.name}#${String(i)}@${x.at}#${callee.name}`;
            if (passed.has(key)) return;
            passed.add(key);
            out.set(a.n, (out.get(a.n) ?? 0) + 1);
            // The caller's own parameter handed on: the caller now tests it too.
            const pi = a.id ? params.get(a.n) : undefined;
            if (pi !== undefined) passed.add(`${fn.name}#${String(pi)}`);
          });
    }
    if (passed.size === before) break;
  }
  // A copy into a tested name (`PVOID p = A->Buffer; if (p)`): the copied storage decides as the copy
  // does, so what the path knows of it is kept for the copy to read. To a fixed point (a copy of a copy).
  const copies = list.flatMap((fn) => copiesOf(fn.body));
  for (let round = 0, changed = true; changed && round < 4; round++) {
    changed = false;
    for (const c of copies)
      if (out.has(c.to) && !out.has(c.from)) {
        out.set(c.from, 1);
        changed = true;
      }
  }
  return out;
}

const testedCache = new WeakMap<Stmt, Map<string, number>>();

/** The plain copies of a body (`p = A->Buffer`, `PVOID p = (PVOID)A->Buffer`), by last names. */
function copiesOf(body: Stmt): { to: string; from: string }[] {
  let hit = copiesCache.get(body);
  if (!hit) {
    const out: { to: string; from: string }[] = [];
    const nameOf = (e: Expr): string | undefined => {
      const x = stripCasts(e);
      return x.t === 'id' ? x.n : x.t === 'fld' ? x.f : undefined;
    };
    const add = (to: string | undefined, rhs: Expr) => {
      const from = nameOf(rhs);
      if (to !== undefined && from !== undefined && from !== to) out.push({ to, from });
    };
    walkStmts(body, (st) => {
      if (st.k === 'decl') for (const d of st.d) if (d.init) add(d.n, d.init);
    });
    walkExprs(body, (x) => {
      if (x.t === 'asg' && x.op === '=') add(nameOf(x.l), x.r);
    });
    hit = out;
    copiesCache.set(body, hit);
  }
  return hit;
}

const copiesCache = new WeakMap<Stmt, { to: string; from: string }[]>();

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
        at: `${String(x.p[0])}:${String(x.p[1])}`,
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
