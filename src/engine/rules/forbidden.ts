/**
 * Rule kind `forbidden-context`: calls that may not run in the context of
 * some callbacks (spin locks above DISPATCH_LEVEL: the interrupt service
 * routine, a function synchronized with the interrupt). Reachability over
 * the call graph from each such callback, shortest chain first; every call
 * so reached is reported where it is made, unless the analysis cannot
 * decide it is made there (see uncertain.ts).
 */
import { exprText } from '../extract.js';
import type { FnDef, Program, RoleEvidence } from '../program.js';
import { formatMessage, type ForbiddenContextRule, type RulePack } from '../rulepack.js';
import { apiCalls, callSiteOf } from '../sites.js';
import type { TraceStep } from '../types.js';
import { conditionalMacro, guardedByCaller } from './uncertain.js';
import { cmp, evidenceText, roleLabel, callDraft, callStep, type Draft } from './common.js';

export function forbiddenContext(program: Program, pack: RulePack, rule: ForbiddenContextRule): Draft[] {
  const forbidden = new Set(rule.forbiddenRoles);
  const roots: { fn: FnDef; ev: RoleEvidence }[] = [];
  // A function the driver also calls directly, known for the context only by a declaration
  // (`MINIPORT_SYNCHRONIZE_INTERRUPT F;` while F is called from an OID handler), may not run there.
  const called = new Set<FnDef>();
  for (const fn of program.functions) for (const e of program.callees(fn)) called.add(e.callee);
  for (const fn of program.functions) {
    const evs = program.rolesOf(fn).filter((r) => forbidden.has(r.role));
    const ev =
      evs.find((r) => r.how === 'registration' || r.how === 'handoff') ?? (called.has(fn) ? undefined : evs[0]);
    if (ev) roots.push({ fn, ev });
  }
  roots.sort((a, b) => cmp(a.fn.file, b.fn.file) || a.fn.fact.p[0] - b.fn.fact.p[0]);
  const parent = new Map<FnDef, FnDef | null>();
  const rootOf = new Map<FnDef, { fn: FnDef; ev: RoleEvidence }>();
  const queue: FnDef[] = [];
  for (const r of roots)
    if (!parent.has(r.fn)) {
      parent.set(r.fn, null);
      rootOf.set(r.fn, r);
      queue.push(r.fn);
    }
  // Breadth-first: the queue grows while it is read.
  for (const f of queue)
    for (const edge of program.callees(f)) {
      // A call made only by one #if branch of a macro may not be built.
      if (parent.has(edge.callee) || edge.viaMacros.some((m) => conditionalMacro(program, m))) continue;
      parent.set(edge.callee, f);
      rootOf.set(edge.callee, rootOf.get(f)!);
      queue.push(edge.callee);
    }
  const drafts: Draft[] = [];
  for (const fn of queue) {
    const calls = rule.calls.filter((c) => program.callsApi(fn, c));
    if (!calls.length) continue;
    const root = rootOf.get(fn)!;
    const chain: FnDef[] = [];
    for (let cur: FnDef | null = fn; cur; cur = parent.get(cur) ?? null) chain.unshift(cur);
    const trace: TraceStep[] = [
      {
        path: root.ev.path,
        line: root.ev.line,
        message: `${root.fn.name} is ${roleLabel(pack, root.ev.role)}: ${evidenceText(root.ev)}`,
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
    const callback = roleLabel(pack, root.ev.role);
    for (const call of calls)
      for (const site of apiCalls(program, fn, call)) {
        if (site.viaMacro && conditionalMacro(program, site.viaMacro)) continue;
        if (chain.length > 1 && guardedByCaller(program, root.fn, fn, site.p)) continue;
        const [messageId, data]: [string, Record<string, string>] =
          chain.length > 1
            ? ['reachedFromCallback', { callback, chain: chain.map((c) => c.name).join(' → ') }]
            : ['inCallback', { where: `${fn.name}, ${callback}` }];
        drafts.push(
          callDraft(rule, fn, site.p, {
            message: formatMessage(rule, messageId, { ...data, call, advice: rule.advice }),
            messageId,
            trace: [...trace, callStep(fn, site, `calls ${call}`)],
            identity: [rule.id, fn.file, fn.name, exprText(site.call), root.fn.name],
          }),
        );
      }
  }
  return drafts;
}
