/**
 * A function body as a control-flow graph for the path analysis: `if`,
 * loops, `switch`, `goto` ladders, `do { break; } while (FALSE)`, early
 * returns. Built on demand from the cached syntax, for the few functions
 * the pairing rules walk, and memoised per body.
 */
import type { Expr, Pos, Stmt, VarDecl } from './ast.js';

export type CfgNode =
  | { t: 'exp'; e: Expr; p: Pos; next: number }
  | { t: 'decl'; d: VarDecl[]; p: Pos; next: number }
  | {
      t: 'br';
      c: Expr;
      p: Pos;
      yes: number;
      no: number;
      loop?: Stmt;
      stmt?: Extract<Stmt, { k: 'if' }>;
      /** The `if`, `while` or `for` this node tests, and the node after the whole statement. */
      whole?: Stmt;
      after?: number;
    }
  | { t: 'sw'; c: Expr; p: Pos; cases: { v: Expr; to: number }[]; dflt: number }
  | { t: 'ret'; e?: Expr; p: Pos }
  | { t: 'jump'; kind: 'goto' | 'break' | 'continue'; p: Pos; next: number }
  | { t: 'nop'; next: number }
  | { t: 'end' };

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  /** Nodes two or more edges lead to: where paths can meet and be merged. */
  joins: Uint8Array;
}

interface Ctx {
  brk?: number;
  cont?: number;
  cases?: { v?: Expr; to: number }[];
}

const cache = new WeakMap<Stmt, Cfg>();

export function buildCfg(body: Stmt): Cfg {
  const hit = cache.get(body);
  if (hit) return hit;
  const nodes: CfgNode[] = [];
  const add = (n: CfgNode) => {
    nodes.push(n);
    return nodes.length - 1;
  };
  const end = add({ t: 'end' });
  const labels = new Map<string, number>();
  const labelNode = (name: string) => {
    let id = labels.get(name);
    if (id === undefined) {
      id = add({ t: 'nop', next: end });
      labels.set(name, id);
    }
    return id;
  };

  const build = (s: Stmt | undefined, next: number, ctx: Ctx): number => {
    if (!s) return next;
    switch (s.k) {
      case 'blk': {
        let cur = next;
        for (let i = s.b.length - 1; i >= 0; i--) cur = build(s.b[i], cur, ctx);
        return cur;
      }
      case 'exp':
        return add({ t: 'exp', e: s.e, p: s.p, next });
      case 'decl':
        return add({ t: 'decl', d: s.d, p: s.p, next });
      case 'if': {
        const yes = build(s.t, next, ctx);
        const no = build(s.f, next, ctx);
        return add({ t: 'br', c: s.c, p: s.p, yes, no, stmt: s, whole: s, after: next });
      }
      case 'while': {
        const head = add({ t: 'br', c: s.c, p: s.p, yes: end, no: next, loop: s.b, whole: s, after: next });
        const body = build(s.b, head, { ...ctx, brk: next, cont: head });
        (nodes[head] as { yes: number }).yes = body;
        return head;
      }
      case 'do': {
        const test = add({ t: 'br', c: s.c, p: s.p, yes: end, no: next });
        const body = build(s.b, test, { ...ctx, brk: next, cont: test });
        (nodes[test] as { yes: number }).yes = body;
        return body;
      }
      case 'for': {
        const head = add(
          s.c
            ? { t: 'br', c: s.c, p: s.p, yes: end, no: next, loop: s.b, whole: s, after: next }
            : { t: 'nop', next: end },
        );
        const update = s.u ? add({ t: 'exp', e: s.u, p: s.p, next: head }) : head;
        const body = build(s.b, update, { ...ctx, brk: next, cont: update });
        if (s.c) (nodes[head] as { yes: number }).yes = body;
        else (nodes[head] as { next: number }).next = body;
        return build(s.i, head, ctx);
      }
      case 'sw': {
        const cases: { v?: Expr; to: number }[] = [];
        // Built for the case labels it records; a switch is entered at a case, never at the body's start.
        build(s.b, next, { ...ctx, brk: next, cases });
        const dflt = cases.find((c) => c.v === undefined)?.to ?? next;
        return add({
          t: 'sw',
          c: s.c,
          p: s.p,
          cases: cases.filter((c) => c.v !== undefined) as { v: Expr; to: number }[],
          dflt,
        });
      }
      case 'case': {
        const id = add({ t: 'nop', next });
        ctx.cases?.push(s.v ? { v: s.v, to: id } : { to: id });
        return id;
      }
      case 'lbl': {
        const id = labelNode(s.n);
        (nodes[id] as { next: number }).next = next;
        return id;
      }
      case 'goto':
        return add({ t: 'jump', kind: 'goto', p: s.p, next: labelNode(s.n) });
      case 'ret':
        return add(s.e ? { t: 'ret', e: s.e, p: s.p } : { t: 'ret', p: s.p });
      case 'brk':
        return ctx.brk === undefined ? next : add({ t: 'jump', kind: 'break', p: s.p, next: ctx.brk });
      case 'cont':
        return ctx.cont === undefined ? next : add({ t: 'jump', kind: 'continue', p: s.p, next: ctx.cont });
      default:
        return next;
    }
  };
  const entry = build(body, end, {});
  const preds = new Uint8Array(nodes.length);
  for (const n of nodes) for (const to of successors(n)) if (preds[to] < 2) preds[to]++;
  const joins = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) joins[i] = preds[i] >= 2 ? 1 : 0;
  const cfg = { nodes, entry, joins };
  cache.set(body, cfg);
  return cfg;
}

/** The expressions a node evaluates. */
export function nodeExprs(n: CfgNode): Expr[] {
  switch (n.t) {
    case 'exp':
      return [n.e];
    case 'decl':
      return n.d.flatMap((d) => (d.init ? [d.init] : []));
    case 'br':
    case 'sw':
      return [n.c];
    case 'ret':
      return n.e ? [n.e] : [];
    default:
      return [];
  }
}

/** The nodes a path can go to from `n`, each edge once (a `switch`'s cases and its default). */
export function successors(n: CfgNode): number[] {
  switch (n.t) {
    case 'br':
      return [n.yes, n.no];
    case 'sw':
      return [...n.cases.map((c) => c.to), n.dflt];
    case 'exp':
    case 'decl':
    case 'jump':
    case 'nop':
      return [n.next];
    default:
      return [];
  }
}

/**
 * Per node, the nodes with an edge to it; worked out once per graph (a graph is built once per body,
 * and walked again and again: per build, per helper summary, per callback).
 */
export function predecessors(cfg: Cfg): readonly (readonly number[])[] {
  let preds = predsByCfg.get(cfg);
  if (preds) return preds;
  const out: number[][] = cfg.nodes.map(() => []);
  cfg.nodes.forEach((n, i) => {
    for (const j of successors(n)) out[j].push(i);
  });
  predsByCfg.set(cfg, (preds = out));
  return preds;
}

const predsByCfg = new WeakMap<Cfg, readonly (readonly number[])[]>();
const partsByCfg = new WeakMap<Cfg, Int32Array>();

/** 1 for each node from which a path can reach a marked node (the marked ones too), else 0. */
export function nodesReaching(preds: readonly (readonly number[])[], marked: Uint8Array): Uint8Array {
  const out = new Uint8Array(marked.length);
  const todo: number[] = [];
  marked.forEach((m, i) => {
    if (m) todo.push(i);
  });
  for (let i = todo.pop(); i !== undefined; i = todo.pop()) {
    if (out[i]) continue;
    out[i] = 1;
    for (const j of preds[i]) if (!out[j]) todo.push(j);
  }
  return out;
}

/**
 * For each node a path can come back to (it lies in a strongly connected part with a cycle), the
 * number of that part (the nodes of one loop, or of one backward `goto` and what it jumps over);
 * -1 for every other node. Worked out once per graph; the array is shared, not to be written.
 */
export function cycleParts(cfg: Cfg): Int32Array {
  let hit = partsByCfg.get(cfg);
  if (!hit) partsByCfg.set(cfg, (hit = readCycleParts(cfg)));
  return hit;
}

function readCycleParts(cfg: Cfg): Int32Array {
  const n = cfg.nodes.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const out = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let next = 0;
  let parts = 0;
  // Tarjan's algorithm without recursion: a frame is a node and how many of its successors are done.
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const frames: { v: number; succ: number[]; i: number }[] = [];
    const open = (v: number) => {
      index[v] = low[v] = next++;
      stack.push(v);
      onStack[v] = 1;
      frames.push({ v, succ: successors(cfg.nodes[v]), i: 0 });
    };
    open(root);
    while (frames.length) {
      const f = frames[frames.length - 1];
      if (f.i < f.succ.length) {
        const w = f.succ[f.i++];
        if (index[w] === -1) open(w);
        else if (onStack[w]) low[f.v] = Math.min(low[f.v], index[w]);
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1].v;
        low[parent] = Math.min(low[parent], low[f.v]);
      }
      if (low[f.v] !== index[f.v]) continue;
      // The root of a strongly connected part: pop it; a part of two or more nodes, or one node with
      // an edge to itself, is a cycle.
      const part: number[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack[w] = 0;
        part.push(w);
        if (w === f.v) break;
      }
      const selfLoop = successors(cfg.nodes[f.v]).includes(f.v);
      if (part.length > 1 || selfLoop) {
        for (const w of part) out[w] = parts;
        parts++;
      }
    }
  }
  return out;
}
