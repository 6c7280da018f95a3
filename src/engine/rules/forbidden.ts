/**
 * Rule kind `forbidden-context`: calls that may not run in the context of
 * some callbacks (spin locks above DISPATCH_LEVEL: the interrupt service
 * routine, a function synchronized with the interrupt). Reachability over
 * the call graph from each such callback, shortest chain first; every call
 * so reached is reported where it is made, unless the analysis cannot
 * decide it is made there (see uncertain.ts).
 */
import { exprText } from '../extract.js';
import type { FnDef, Program } from '../program.js';
import { formatMessage, type ForbiddenContextRule, type RulePack } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import { conditionalMacro, guardedByCaller } from './uncertain.js';
import { roleLabel, callDraft, callStep, type Draft } from './common.js';
import { chainTrace, reachFromRoots, type Root } from './reach.js';

export function forbiddenContext(program: Program, pack: RulePack, rule: ForbiddenContextRule): Draft[] {
  const forbidden = new Set(rule.forbiddenRoles);
  const roots: Root[] = [];
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
  // A call made only by one #if branch of a macro may not be built.
  const reached = reachFromRoots(program, roots, (edge) => !edge.viaMacros.some((m) => conditionalMacro(program, m)));
  const drafts: Draft[] = [];
  for (const fn of reached.order) {
    const calls = rule.calls.filter((c) => program.callsApi(fn, c));
    if (!calls.length) continue;
    const root = reached.rootOf(fn);
    const chain = reached.chainTo(fn);
    const trace = chainTrace(program, pack, root, chain);
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
