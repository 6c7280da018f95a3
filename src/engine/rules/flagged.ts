/**
 * Rule kind `flagged-callback-call`: a callback that NDIS tells its IRQL
 * through a flag of one of its parameters should read the flag, not make a
 * call that asks for the IRQL. Only the callback's own body counts (with
 * the macros used in it): a helper may also run from callers that have no
 * such flag, where asking is the only way. Calls inside debug assertions,
 * prints and traces (`ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL)`,
 * `DbgPrintEx(.., KeGetCurrentIrql())`) are not counted: they are not
 * compiled into a release build, or decide nothing.
 */
import type { Expr } from '../ast.js';
import { exprText } from '../extract.js';
import { walkExprs, type FnDef, type Program, type RoleEvidence } from '../program.js';
import { formatMessage, type FlaggedCallbackCallRule, type RulePack } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import { conditionalMacro } from './uncertain.js';
import { evidenceText, roleLabel, callDraft, callStep, type Draft } from './common.js';

type Callback = FlaggedCallbackCallRule['callbacks'][number];

export function flaggedCallbackCall(program: Program, pack: RulePack, rule: FlaggedCallbackCallRule): Draft[] {
  const drafts: Draft[] = [];
  const debugOnly = new RegExp(rule.ignoreInside, 'i');
  const ignored = (name: string) => debugOnly.test(name);
  for (const fn of program.functions) {
    if (!program.callsApi(fn, rule.call)) continue;
    const match = matchCallback(program, fn, rule.callbacks);
    if (!match) continue;
    const { cb, ev } = match;
    const param = fn.params[cb.flagsParam]?.n ?? `parameter ${String(cb.flagsParam + 1)}`;
    // Calls inside an assertion's arguments, by the call and by the position of a macro use in them.
    const inAssert = new Set<Expr>();
    const assertPlaces = new Set<string>();
    walkExprs(fn.body, (e) => {
      if (e.t !== 'call' || e.f.t !== 'id' || !ignored(e.f.n)) return;
      for (const a of e.a)
        walkExprs({ k: 'exp', e: a, p: e.p }, (x) => {
          inAssert.add(x);
          if (x.t === 'call') assertPlaces.add(x.p.join(':'));
        });
    });
    for (const site of apiCalls(program, fn, rule.call)) {
      if (inAssert.has(site.call) || assertPlaces.has(site.p.join(':'))) continue;
      if (
        site.viaMacro &&
        (ignored(site.viaMacro) ||
          conditionalMacro(program, site.viaMacro) ||
          program.expandName(fn.file, site.viaMacro).some((x) => ignored(x.name)))
      )
        continue;
      const messageId = site.viaMacro ? 'throughMacro' : 'direct';
      const message = formatMessage(rule, messageId, {
        call: rule.call,
        fn: fn.name,
        callback: roleLabel(pack, ev.role),
        flag: cb.flag,
        param,
        macro: site.viaMacro ?? '',
        advice: rule.advice,
      });
      drafts.push(
        callDraft(rule, fn, site.p, {
          message,
          messageId,
          trace: [
            { path: ev.path, line: ev.line, message: `${fn.name} is ${roleLabel(pack, ev.role)}: ${evidenceText(ev)}` },
            {
              path: fn.file,
              line: fn.fact.p[0],
              message: `${fn.name} is given ${cb.flag} in ${param}`,
            },
            callStep(fn, site, `calls ${rule.call}`),
          ],
          identity: [rule.id, fn.file, fn.name, exprText(site.call)],
        }),
      );
    }
  }
  return drafts;
}

/** The callback kind a function is, known by its role type, annotation or registration field, with the evidence. */
function matchCallback(
  program: Program,
  fn: FnDef,
  callbacks: Callback[],
): { cb: Callback; ev: RoleEvidence } | undefined {
  for (const ev of program.rolesOf(fn))
    for (const cb of callbacks) {
      const known =
        (ev.how === 'role-type' && cb.roleTypes.includes(ev.detail)) ||
        (ev.how === 'function-class' && cb.roleTypes.some((t) => ev.detail === `_Function_class_(${t})`)) ||
        (ev.how === 'registration' && cb.fields.some((f) => ev.detail === f || ev.detail.endsWith(`.${f}`)));
      // The flags parameter must be there: an older callback of the same role has none.
      if (known && fn.params.length > cb.flagsParam) return { cb, ev };
    }
  return undefined;
}
