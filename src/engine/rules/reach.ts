/**
 * The context rules' walk: breadth-first over the call graph from every
 * callback root at once, so each function keeps its shortest chain from the
 * first root (roots sorted by place) that reaches it, and the trace of that
 * chain for a finding.
 */
import type { FnDef, Program, RoleEvidence } from '../program.js';
import type { RulePack } from '../rulepack.js';
import { callSiteOf } from '../sites.js';
import type { TraceStep } from '../types.js';
import { cmp, evidenceText, roleLabel } from './common.js';
import { defined } from '../../util/defined.js';

export interface Root {
  fn: FnDef;
  ev: RoleEvidence;
}

export interface Reached {
  /** Every reached function, roots first, in breadth-first order. */
  order: FnDef[];
  rootOf(fn: FnDef): Root;
  /** The shortest chain from its root to `fn`, the root first. */
  chainTo(fn: FnDef): FnDef[];
}

export function reachFromRoots(
  program: Program,
  roots: Root[],
  follow: (edge: ReturnType<Program['callees']>[number]) => boolean = () => true,
): Reached {
  const sorted = [...roots].sort((a, b) => cmp(a.fn.file, b.fn.file) || a.fn.fact.p[0] - b.fn.fact.p[0]);
  const parent = new Map<FnDef, FnDef | null>();
  const rootOf = new Map<FnDef, Root>();
  const order: FnDef[] = [];
  for (const r of sorted)
    if (!parent.has(r.fn)) {
      parent.set(r.fn, null);
      rootOf.set(r.fn, r);
      order.push(r.fn);
    }
  // The queue grows while it is read (an array iterator sees the new entries).
  for (const f of order)
    for (const edge of program.callees(f)) {
      if (parent.has(edge.callee) || !follow(edge)) continue;
      parent.set(edge.callee, f);
      rootOf.set(edge.callee, defined(rootOf.get(f), `root of ${f.name}`));
      order.push(edge.callee);
    }
  return {
    order,
    rootOf: (fn) => defined(rootOf.get(fn), `root of ${fn.name}`),
    chainTo: (fn) => {
      const chain: FnDef[] = [];
      for (let cur: FnDef | null = fn; cur; cur = parent.get(cur) ?? null) chain.unshift(cur);
      return chain;
    },
  };
}

/** The trace of a chain: what its root is, then each call down to its last function. */
export function chainTrace(program: Program, pack: RulePack, root: Root, chain: FnDef[]): TraceStep[] {
  const trace: TraceStep[] = [
    {
      path: root.ev.path,
      line: root.ev.line,
      message:
        root.ev.how === 'name'
          ? `${root.fn.name}: ${evidenceText(root.ev)}`
          : `${root.fn.name} is ${roleLabel(pack, root.ev.role)}: ${evidenceText(root.ev)}`,
    },
  ];
  for (let i = 1; i < chain.length; i++) {
    const at = callSiteOf(program, chain[i - 1], chain[i]);
    trace.push({
      path: chain[i - 1].file,
      line: at ? at[0] : chain[i - 1].fact.p[0],
      message: `${chain[i - 1].name} calls ${chain[i].name}`,
    });
  }
  return trace;
}
