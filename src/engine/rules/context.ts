/**
 * Rule kind `call-context`: a call may run only in the context of some
 * callbacks. Reachability from every callback root of another role (and
 * from functions whose address escapes) over the call graph, shortest chain
 * first.
 */
import { exprText } from '../extract.js';
import type { Program } from '../program.js';
import { formatMessage, type CallContextRule, type RulePack } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import { roleLabel, callDraft, callStep, type Draft } from './common.js';
import { chainTrace, reachFromRoots, type Root } from './reach.js';

export function callContext(program: Program, pack: RulePack, rule: CallContextRule): Draft[] {
  const allowed = new Set(rule.allowedRoles);
  const roots: Root[] = [];
  // When no function of an allowed role is known, a function whose address is taken may be that very
  // callback, registered in a way the engine does not follow: only callbacks of a known role are roots then.
  const allowedKnown =
    rule.forbiddenRoles !== undefined ||
    program.functions.some((f) => program.rolesOf(f).some((r) => allowed.has(r.role)));
  for (const fn of program.functions) {
    const roles = program.rolesOf(fn);
    const forbidden = rule.forbiddenRoles;
    const bad = roles.find(
      (r) => (forbidden ? forbidden.includes(r.role) : !allowed.has(r.role)) && (allowedKnown || r.role !== 'unknown'),
    );
    if (bad) roots.push({ fn, ev: bad });
  }
  const reached = reachFromRoots(program, roots);
  // Calls through function pointers need no notice here: one that no stored field resolves can only
  // reach functions whose address is taken, and those are callbacks of their own (roots above).
  const drafts: Draft[] = [];
  for (const fn of reached.order) {
    if (!program.callsApi(fn, rule.call)) continue;
    const root = reached.rootOf(fn);
    const chain = reached.chainTo(fn);
    const trace = chainTrace(program, pack, root, chain);
    const names = chain.map((c) => c.name).join(' → ');
    const callback = roleLabel(pack, root.ev.role);
    const [messageId, data]: [string, Record<string, string>] =
      root.ev.role === 'unknown'
        ? [
            'addressTaken',
            {
              root: root.fn.name,
              taken: `${root.ev.path}:${String(root.ev.line)}`,
              chain: chain.length > 1 ? ` (${names})` : '',
            },
          ]
        : chain.length > 1
          ? ['reachedFromCallback', { callback, chain: names }]
          : ['inCallback', { where: callback === fn.name ? fn.name : `${fn.name}, ${callback}` }];
    const message = formatMessage(rule, messageId, { ...data, call: rule.call, advice: rule.advice });
    for (const site of apiCalls(program, fn, rule.call)) {
      drafts.push(
        callDraft(rule, fn, site.p, {
          message,
          messageId,
          trace: [...trace, callStep(fn, site, `calls ${rule.call}`)],
          identity: [rule.id, fn.file, fn.name, exprText(site.call), root.fn.name],
        }),
      );
    }
  }
  return drafts;
}
