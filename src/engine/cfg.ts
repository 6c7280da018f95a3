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
  const edge = (to: number) => {
    if (preds[to] < 2) preds[to]++;
  };
  for (const n of nodes) {
    switch (n.t) {
      case 'br':
        edge(n.yes);
        edge(n.no);
        break;
      case 'sw':
        n.cases.forEach((c) => {
          edge(c.to);
        });
        edge(n.dflt);
        break;
      case 'exp':
      case 'decl':
      case 'jump':
      case 'nop':
        edge(n.next);
        break;
      default:
        break;
    }
  }
  const joins = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) joins[i] = preds[i] >= 2 ? 1 : 0;
  const cfg = { nodes, entry, joins };
  cache.set(body, cfg);
  return cfg;
}
