/**
 * Statements a helper's walk goes past because nothing after its call reads
 * what they write. A cleanup helper is called on each failing path of
 * initialize, which returns right after it; its `if (A->RxPkts) { for (...)
 * NdisFreePacket(...); A->RxPkts = NULL; }` writes what initialize tested
 * earlier (the allocation's own check), so the walk's idle statements
 * (`pathidle.ts`, which count a read anywhere on the walk) keep it, split on
 * its test, and every failing path that reaches the helper with another set
 * of buffers allocated walks it again (ti-am389x-emac's `EmacFreeAdapter`: 68
 * walks of 149 arrivals for one mapping).
 *
 * Here what is read is counted from the call on: the code of the caller that
 * can run after the call (its statements reachable in its control-flow graph,
 * the helpers those may step into, the macros they use), and what is read
 * after the caller returns, on up to the walk's root, after whose return
 * nothing of the walk is read but the resources it holds. A statement of the
 * helper's own body is gone past, in that calling context, where:
 *
 * - it is an idle candidate (`idleCandidates`: nothing inside returns, jumps
 *   out, steps into a helper or calls a resource's function), writing no name
 *   an acquire or release of the resource is handed (nor one copied from such
 *   a name), so which names a resource has never depends on it;
 * - nothing reads what it writes: not the rest of the helper and what it steps
 *   into, outside the statements gone past (as `namesRead` counts), nor the
 *   code after the call;
 * - its tests read no name another test or return of the helper reads, nor any
 *   name read after the call (`neverTeachesIn`), so going past it teaches the
 *   path nothing a later step decides by.
 *
 * Going past it then leaves every value a later step reads as walking it
 * would have; only values nothing reads again differ, and arrivals that
 * differ only there take one walk (the statement's names are out of the
 * walk's sight, `pathfootprint.ts`).
 */
import type { Expr, Stmt } from './ast.js';
import { buildCfg, nodeExprs, successors } from './cfg.js';
import { stripCasts } from './keys.js';
import type { Analysis } from './pathcontext.js';
import { footprintOf } from './pathfootprint.js';
import { idleCandidates, namesRead, writtenName } from './pathidle.js';
import { neverTeachesIn } from './pathinert.js';
import { decidingNames, walkable } from './pathnames.js';
import { walkExprs, type FnDef } from './program.js';
import { functionEnv } from './sites.js';
import { constantTruth } from './values.js';

/** The names code after a call may read; 'all' where the text cannot bound them. */
export type Later = ReadonlySet<string> | 'all';

/** After the walk's root returns nothing it wrote is read again (its resources apart, see above). */
export const NOTHING_LATER: Later = new Set<string>();

const WORDS = /[A-Za-z_]\w*/g;
const NONE: ReadonlyMap<Stmt, readonly Expr[]> = new Map();

/**
 * What may be read from CFG node `from` of `fn` on (that node included), and after `fn` returns
 * (`outer`). One object per (analysis, function, node, outer), so a context keeps its identity.
 */
export function readAfter(an: Analysis, fn: FnDef, from: number, callee: FnDef, outer: Later): Later {
  if (outer === 'all') return 'all';
  let byOuter = afterCache.get(an);
  if (!byOuter) afterCache.set(an, (byOuter = new WeakMap()));
  let byFn = byOuter.get(outer);
  if (!byFn) byOuter.set(outer, (byFn = new Map<string, Later>()));
  const at = `${String(fn.id)}:${String(from)}:${String(callee.id)}`;
  const known = byFn.get(at);
  if (known) return known;
  const own = readFrom(an, fn, from, callee);
  let out: Later;
  if (own === 'all') out = 'all';
  else if (outer.size === 0) out = own;
  else {
    const all = new Set(own);
    for (const w of outer) all.add(w);
    out = all;
  }
  byFn.set(at, out);
  return out;
}

const afterCache = new WeakMap<Analysis, WeakMap<object, Map<string, Later>>>();

/**
 * What the nodes of `fn` reachable from `from` may read, with the helpers they may step into. The
 * node `from` calls `callee`, whose own walk is not after it (a second call of it in that node is).
 */
function readFrom(an: Analysis, fn: FnDef, from: number, callee: FnDef): Later {
  const cfg = buildCfg(fn.body);
  const words = new Set<string>();
  const seen = new Set<number>([from]);
  const todo = [from];
  let unbounded = false as boolean; // set by the walks' callbacks
  let calls = 0;
  const add = (e: Expr | undefined, first: boolean) => {
    if (!e || unbounded) return;
    walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
      if (x.t !== 'call') return;
      const f = stripCasts(x.f);
      // A call through a pointer may step into whatever a field holds.
      if (f.t !== 'id') unbounded = true;
      // The call being walked, or a macro that may make it (and make it again).
      else if (first && an.program.resolve(fn.file, f.n).includes(callee)) calls++;
      else if (first && an.program.macro(fn.file, f.n)) calls += 2;
    });
    wordsIn(e, words);
  };
  for (let n = todo.pop(); n !== undefined && !unbounded; n = todo.pop()) {
    const node = cfg.nodes[n];
    for (const e of nodeExprs(node)) add(e, n === from);
    for (const next of successors(node))
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
  }
  if (unbounded) return 'all';
  // The helper being called is read after its call only where it is called again.
  const again = (t: FnDef) => t !== callee || calls > 1 || calledLater(cfg, from, seen, an, fn, callee);
  // The macros those statements use, as deep as they nest, and what the helpers they name may read.
  const fresh = [...words];
  for (let w = fresh.pop(); w !== undefined; w = fresh.pop()) {
    const m = an.program.macro(fn.file, w);
    if (m)
      for (const [x] of m.body.matchAll(WORDS))
        if (!words.has(x)) {
          words.add(x);
          fresh.push(x);
        }
    for (const t of an.program.resolve(fn.file, w)) {
      if (!an.relevant.has(t) || !again(t)) continue;
      const fp = footprintOf(an, t);
      if (!fp) return 'all';
      for (const x of fp) words.add(x);
    }
  }
  return words;
}

/** Does a node reachable after `from` (or `from` again, round a loop) call `callee`? */
function calledLater(
  cfg: ReturnType<typeof buildCfg>,
  from: number,
  reached: ReadonlySet<number>,
  an: Analysis,
  fn: FnDef,
  callee: FnDef,
): boolean {
  const loops = cfg.nodes.some((node, i) => reached.has(i) && successors(node).includes(from));
  for (const i of reached) {
    if (i === from && !loops) continue;
    let found = false as boolean; // set by the walk's callback
    for (const e of nodeExprs(cfg.nodes[i]))
      walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
        if (x.t !== 'call') return;
        const f = stripCasts(x.f);
        if (f.t === 'id' && an.program.resolve(fn.file, f.n).includes(callee)) found = true;
      });
    if (found) return true;
  }
  return false;
}

/** Every identifier and field name an expression reads or writes (over-reading is safe). */
function wordsIn(e: Expr, into: Set<string>): void {
  walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
    if (x.t === 'id') into.add(x.n);
    else if (x.t === 'fld') into.add(x.f);
  });
}

/**
 * The statements of `fn`'s own body its walk goes past when what is read after it returns is
 * `later` (see the module comment), each with its tests as `an.idle` keeps them.
 */
export function deadStatements(an: Analysis, fn: FnDef, later: Later): ReadonlyMap<Stmt, readonly Expr[]> {
  if (later === 'all' || !an.skipIdle || !an.skipDead) return NONE;
  let byLater = deadCache.get(an);
  if (!byLater) deadCache.set(an, (byLater = new WeakMap()));
  let byFn = byLater.get(later);
  if (!byFn) byLater.set(later, (byFn = new Map<FnDef, ReadonlyMap<Stmt, readonly Expr[]>>()));
  let dead = byFn.get(fn);
  if (!dead) byFn.set(fn, (dead = readDead(an, fn, later)));
  return dead;
}

const deadCache = new WeakMap<Analysis, WeakMap<object, Map<FnDef, ReadonlyMap<Stmt, readonly Expr[]>>>>();

function readDead(an: Analysis, fn: FnDef, later: ReadonlySet<string>): ReadonlyMap<Stmt, readonly Expr[]> {
  const named = resourceNames(an);
  const candidates = idleCandidates(an, fn).filter(
    // A `for` without a test is no branch the walk can go past.
    (c) => !(c.stmt.k === 'for' && !c.stmt.c) && ![...c.writes].some((w) => named.has(w)),
  );
  if (candidates.length === 0) return NONE;
  const walk = walkable(an.program, fn).filter((f) => f === fn || an.relevant.has(f));
  const vars = functionEnv(fn).vars;
  const constant = (n: string) => !vars.has(n) && constantTruth(n, an.program, fn.file) !== undefined;
  const dead = new Map<Stmt, readonly Expr[]>(candidates.map((c) => [c.stmt, c.tests]));
  for (let changed = true; changed;) {
    changed = false;
    const read = namesRead(an, walk, dead);
    const deciding = decidingNames(an, walk, dead);
    for (const w of later) {
      read.add(w);
      deciding.add(w);
    }
    for (const c of candidates) {
      if (!dead.has(c.stmt)) continue;
      if ([...c.writes].some((w) => read.has(w)) || !c.tests.every((t) => neverTeachesIn(deciding, t, constant))) {
        dead.delete(c.stmt);
        changed = true;
      }
    }
  }
  return dead.size ? dead : NONE;
}

/**
 * The names a resource can be held under: those an acquire or release call of the analysis's
 * resource (by name or through a macro) is handed, and those given a copy of one. A statement gone
 * past never writes one, so which names a resource has (what halt can release it by) never
 * depends on going past.
 */
function resourceNames(an: Analysis): ReadonlySet<string> {
  const known = resourceNameCache.get(an);
  if (known) return known;
  const names = new Set<string>();
  const apis = [an.resource.acquire.call, an.resource.release.call];
  // The functions the analysis reads anyway: those that reach the calls, and those that make them.
  const fns = an.program.functions.filter((f) => an.relevant.has(f) || apis.some((a) => an.program.callsApi(f, a)));
  for (const f of fns)
    walkExprs(f.body, (x) => {
      if (x.t !== 'call') return;
      const callee = stripCasts(x.f);
      if (callee.t !== 'id') return;
      const name = an.program.aliasOf(f.file, callee.n);
      const reaches = apis.includes(name) || an.program.expandName(f.file, callee.n).some((r) => apis.includes(r.name));
      if (!reaches) return;
      for (const a of x.a) {
        const n = lastName(a);
        if (n !== undefined) names.add(n);
      }
    });
  // Copies: `p = A->Base;` makes `p` a name of what `A->Base` holds.
  for (const f of fns)
    walkExprs(f.body, (x) => {
      if (x.t !== 'asg') return;
      const from = lastName(x.r);
      const to = lastName(x.l);
      if (from !== undefined && to !== undefined && names.has(from)) names.add(to);
    });
  resourceNameCache.set(an, names);
  return names;
}

const resourceNameCache = new WeakMap<Analysis, ReadonlySet<string>>();

/** The storage an argument or copy names, by its last name (`Base` of `(PVOID) &A->Base`, `Va[i]`'s `Va`). */
function lastName(e: Expr): string | undefined {
  let x = stripCasts(e);
  while ((x.t === 'un' && (x.op === '&' || x.op === '*')) || x.t === 'idx') x = stripCasts(x.t === 'idx' ? x.o : x.e);
  return writtenName(x);
}
