/**
 * Which of a function's locals are live at each node of its control-flow graph: read on some path
 * from there before being written again. At a join point a dead local's value cannot change what
 * the walk does next, so arrivals that differ only there are one arrival (`JoinPoints.admit`): the
 * rounds of `for (Count = 0; Count < Adapter->NumRx; Count++) Free(Next++);` leave `Count` and `Next`
 * at different values that nothing reads again, and each used to be walked to the end of the
 * function on its own.
 *
 * Only names are tracked, as the walk keys them (`frame:name`, one key for a name in every block of
 * the function). A local whose address is taken anywhere is live everywhere: a pointer may read it.
 */
import type { Expr, Pos } from './ast.js';
import { nodeExprs, successors, type Cfg } from './cfg.js';
import { walkExprs, type FnDef } from './program.js';

export interface Liveness {
  /** Locals and parameters of the function whose liveness is known (an address-taken one is not among them). */
  readonly locals: ReadonlySet<string>;
  /** Is `name` (one of `locals`) live on arrival at `node`? */
  readonly live: (node: number, name: string) => boolean;
}

const cache = new WeakMap<Cfg, Liveness>();

/** Liveness of `fn`'s locals over `cfg` (its graph), computed once per graph. */
export function livenessOf(cfg: Cfg, fn: FnDef): Liveness {
  const hit = cache.get(cfg);
  if (hit) return hit;
  const names = new Set<string>(fn.params.map((p) => p.n));
  const escaped = new Set<string>();
  for (const n of cfg.nodes) {
    if (n.t === 'decl') for (const d of n.d) names.add(d.n);
    for (const e of nodeExprs(n)) addressTaken(e, escaped);
  }
  for (const n of escaped) names.delete(n);
  const index = new Map<string, number>();
  for (const n of names) index.set(n, index.size);
  const words = Math.max(1, Math.ceil(index.size / 32));
  const count = cfg.nodes.length;
  // Per node: what it reads before it writes (use) and what it writes for certain (def).
  const use = new Uint32Array(count * words);
  const def = new Uint32Array(count * words);
  const set = (bits: Uint32Array, node: number, name: string) => {
    const i = index.get(name);
    if (i !== undefined) bits[node * words + (i >>> 5)] |= 1 << (i & 31);
  };
  cfg.nodes.forEach((n, node) => {
    const reads = new Set<string>();
    const writes = new Set<string>();
    if (n.t === 'decl')
      for (const d of n.d) {
        if (d.init) readsOf(d.init, reads);
        writes.add(d.n);
      }
    else if (n.t === 'exp') effectsOf(n.e, reads, writes);
    else for (const e of nodeExprs(n)) readsOf(e, reads);
    for (const r of reads) set(use, node, r);
    // A name both read and written by one node is read first (`x = x + 1`).
    for (const w of writes) if (!reads.has(w)) set(def, node, w);
  });
  // live_in = use ∪ (live_out − def), to a fixed point: a node whose live_in grows queues its predecessors.
  const liveIn = new Uint32Array(count * words);
  const preds: number[][] = cfg.nodes.map(() => []);
  cfg.nodes.forEach((n, node) => {
    for (const to of successors(n)) preds[to].push(node);
  });
  const work: number[] = [];
  const queued = new Uint8Array(count);
  for (let node = 0; node < count; node++) {
    work.push(node);
    queued[node] = 1;
  }
  const out = new Uint32Array(words);
  for (let node = work.pop(); node !== undefined; node = work.pop()) {
    queued[node] = 0;
    out.fill(0);
    for (const to of successors(cfg.nodes[node])) for (let w = 0; w < words; w++) out[w] |= liveIn[to * words + w];
    let changed = false;
    for (let w = 0; w < words; w++) {
      const at = node * words + w;
      const v = (use[at] | (out[w] & ~def[at])) >>> 0;
      if (v !== liveIn[at] >>> 0) {
        liveIn[at] = v;
        changed = true;
      }
    }
    if (!changed) continue;
    for (const p of preds[node])
      if (!queued[p]) {
        queued[p] = 1;
        work.push(p);
      }
  }
  const result: Liveness = {
    locals: names,
    live: (node, name) => {
      const i = index.get(name);
      if (i === undefined) return true;
      return (liveIn[node * words + (i >>> 5)] & (1 << (i & 31))) !== 0;
    },
  };
  cache.set(cfg, result);
  return result;
}

/** Names read by `e` and names it writes for certain: a plain assignment to a name, at the top of a statement or a comma list. */
function effectsOf(e: Expr, reads: Set<string>, writes: Set<string>): void {
  if (e.t === 'seq') {
    effectsOf(e.l, reads, writes);
    effectsOf(e.r, reads, writes);
    return;
  }
  if (e.t === 'asg' && e.op === '=' && e.l.t === 'id') {
    readsOf(e.r, reads);
    // Read on the right before written (`x = f(x)`): the read counts, as `readsOf` already noted it.
    writes.add(e.l.n);
    return;
  }
  readsOf(e, reads);
}

/** Every name `e` mentions, as a read (an assignment's target inside an expression too: conservative). */
function readsOf(e: Expr, out: Set<string>): void {
  walkExprs({ k: 'exp', e, p: NOWHERE }, (x) => {
    if (x.t === 'id') out.add(x.n);
  });
}

/** Names whose address `e` takes (`&x`, `&x.f`, `&x[i]`). */
function addressTaken(e: Expr, out: Set<string>): void {
  walkExprs({ k: 'exp', e, p: NOWHERE }, (x) => {
    if (x.t !== 'un' || x.op !== '&') return;
    let base = x.e;
    while (base.t === 'fld' || base.t === 'idx' || base.t === 'cast') base = base.t === 'cast' ? base.e : base.o;
    if (base.t === 'id') out.add(base.n);
  });
}

const NOWHERE: Pos = [0, 0, 0, 0];
