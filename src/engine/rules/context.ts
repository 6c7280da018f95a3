/**
 * Rule kind `call-context`: a call may run only in the context of some
 * callbacks. Reachability from every callback root of another role (and
 * from functions whose address escapes) over the call graph, shortest chain
 * first.
 */
import { exprText } from '../extract.js';
import type { FnDef, Program, RoleEvidence } from '../program.js';
import { formatMessage, type CallContextRule, type RulePack } from '../rulepack.js';
import { apiCalls, callSiteOf } from '../sites.js';
import type { TraceStep } from '../types.js';
import { cmp, evidenceText, roleLabel, callDraft, callStep, type Draft } from './common.js';

export function callContext(program: Program, pack: RulePack, rule: CallContextRule): Draft[] {
  const allowed = new Set(rule.allowedRoles);
  const roots: { fn: FnDef; ev: RoleEvidence }[] = [];
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
  roots.sort((a, b) => cmp(a.fn.file, b.fn.file) || a.fn.fact.p[0] - b.fn.fact.p[0]);
  // Breadth-first from all roots at once: each function keeps its shortest chain.
  const parent = new Map<FnDef, FnDef | null>();
  const rootOf = new Map<FnDef, { fn: FnDef; ev: RoleEvidence }>();
  const queue: FnDef[] = [];
  for (const r of roots)
    if (!parent.has(r.fn)) {
      parent.set(r.fn, null);
      rootOf.set(r.fn, r);
      queue.push(r.fn);
    }
  // A breadth-first walk: the queue grows while it is read (an array iterator sees the new entries).
  for (const f of queue) {
    for (const edge of program.callees(f)) {
      if (parent.has(edge.callee)) continue;
      parent.set(edge.callee, f);
      rootOf.set(edge.callee, rootOf.get(f)!);
      queue.push(edge.callee);
    }
  }
  // Calls through function pointers need no notice here: one that no stored field resolves can only
  // reach functions whose address is taken, and those are callbacks of their own (roots above).
  const drafts: Draft[] = [];
  for (const fn of queue) {
    if (!program.callsApi(fn, rule.call)) continue;
    const root = rootOf.get(fn)!;
    const chain: FnDef[] = [];
    for (let cur: FnDef | null = fn; cur; cur = parent.get(cur) ?? null) chain.unshift(cur);
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
    const names = chain.map((c) => c.name).join(' → ');
    const callback = roleLabel(pack, root.ev.role);
    const [messageId, data]: [string, Record<string, string>] =
      root.ev.role === 'unknown'
        ? [
            'addressTaken',
            {
              root: root.fn.name,
              taken: `${root.ev.path}:${root.ev.line}`,
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
