/**
 * Rule kind `cancel-in-role`: an object the driver sets (a timer) must be
 * cancelled or freed by the callbacks of some roles (halt), or by a helper
 * they call. Objects are told apart by where their handle is stored (the
 * resource keys of keys.ts: `Adapter->Timer` is `ADAPTER.Timer`). A handle
 * passed down to a helper is followed back to the callers' arguments, and a
 * local copy to what it was given. Where the storage cannot be named, the
 * rule says nothing: an unnamed cancel in halt may be the one that counts.
 */
import type { Expr } from '../ast.js';
import { exprText } from '../extract.js';
import { KeyMaker, displayKey, sameResource, stripCasts, type TypeEnv } from '../keys.js';
import { walkExprs, walkStmts, type FnDef, type Program } from '../program.js';
import { formatMessage, type CancelInRoleRule, type RulePack } from '../rulepack.js';
import { apiCalls, functionEnv } from '../sites.js';
import type { Notice } from '../types.js';
import { integerValue } from '../values.js';
import { handleKey, isPersistentKey, reachableFrom, roleLabel, callDraft, callStep, type Draft } from './common.js';
import { defined } from '../../util/defined.js';

type Api = CancelInRoleRule['set'][number];

const WORDS = /[A-Za-z_]\w*/g;

/** How far a handle is followed up through helpers' parameters. */
const MAX_BINDING_DEPTH = 4;

export function cancelInRole(program: Program, pack: RulePack, rule: CancelInRoleRule, notices: Notice[]): Draft[] {
  const keys = new KeyMaker(program);
  const roots = program.functions.filter((f) => program.rolesOf(f).some((r) => rule.roles.includes(r.role)));
  const sets = program.functions.filter((f) => rule.set.some((a) => program.callsApi(f, a.call)));
  if (sets.length === 0 || !roots.some((r) => program.rolesOf(r).some((x) => x.role === rule.roles[0]))) return [];

  /** Persistent keys an argument names, following parameters to callers and locals to what they were given. */
  const keysOf = (
    fn: FnDef,
    arg: Expr,
    api: Api,
    env: TypeEnv,
    depth: number,
    within?: Set<FnDef>,
  ): string[] | undefined => {
    const bare = stripCasts(arg);
    // By pointer, only `&storage` names the object: a pointer variable may point anywhere.
    const k =
      !api.byPointer || (bare.t === 'un' && bare.op === '&')
        ? handleKey(keys, arg, api.byPointer === true, env)
        : undefined;
    if (k && isPersistentKey(k)) return [k];
    if (depth >= MAX_BINDING_DEPTH) return undefined;
    const plain = stripCasts(arg);
    if (plain.t === 'id' && !env.vars.has(plain.n) && program.globals.has(plain.n))
      return globalKeys(plain.n, api, depth);
    if (plain.t !== 'id' || !env.vars.has(plain.n)) return undefined;
    const index = fn.params.findIndex((p) => p.n === plain.n);
    const out: string[] = [];
    if (index >= 0) {
      let callers = 0;
      for (const caller of program.functions) {
        if (within && !within.has(caller)) continue;
        if (!program.callees(caller).some((e) => e.callee === fn && e.viaMacros.length === 0 && !e.viaField)) continue;
        const cenv = functionEnv(caller);
        let bad = false as boolean; // set by the walk's callback
        walkExprs(caller.body, (e) => {
          if (bad || e.t !== 'call' || e.f.t !== 'id' || !program.resolve(caller.file, e.f.n).includes(fn)) return;
          const a = e.a[index] as Expr | undefined;
          const got = a ? keysOf(caller, a, api, cenv, depth + 1, within) : undefined;
          callers++;
          if (got) out.push(...got);
          else bad = true;
        });
        if (bad) return undefined;
      }
      return callers ? out : undefined;
    }
    // A local: every value it is given must name storage.
    let given = 0;
    let bad = false;
    walkExprs(fn.body, (e) => {
      if (bad || e.t !== 'asg' || stripCasts(e.l).t !== 'id' || (stripCasts(e.l) as { n: string }).n !== plain.n)
        return;
      const got = e.op === '=' ? keysOf(fn, e.r, api, env, depth + 1, within) : undefined;
      given++;
      if (got) out.push(...got);
      else bad = true;
    });
    for (const d of declsOf(fn.body, plain.n)) {
      const got = keysOf(fn, d, api, env, depth + 1, within);
      given++;
      if (got) out.push(...got);
      else bad = true;
    }
    return bad || given === 0 ? undefined : out;
  };

  /**
   * A global pointer the driver points at one object (TI CPSW3G's `ale_timer = &pAdapter->ALE_timer;`,
   * cancelled in halt through `NdisMCancelTimer(ale_timer, ...)`): every address stored into it
   * anywhere must name storage. A NULL stored (`ale_timer = 0;` after the cancel) points at nothing;
   * its address taken, or a macro a function uses naming it, may store anything, and names nothing.
   */
  const globalKeys = (name: string, api: Api, depth: number): string[] | undefined => {
    const out: string[] = [];
    let given = 0;
    let bad = false as boolean; // set by the walk's callback
    const named = (e: Expr) => {
      const x = stripCasts(e);
      return x.t === 'id' && x.n === name;
    };
    for (const f of program.functions) {
      // Only a file that names it, or uses a macro that does, can store into it: no other body is read.
      if (bad || !mayName(f.file, name)) continue;
      const fenv = functionEnv(f);
      // A local of the same name hides the global there.
      if (fenv.vars.has(name)) continue;
      walkExprs(f.body, (e) => {
        if (bad) return;
        if ((e.t === 'un' && e.op === '&' && named(e.e)) || (e.t === 'call' && macroNames(f.file, e.f, name)))
          bad = true;
        else if (e.t === 'asg' && named(e.l)) {
          const r = stripCasts(e.r);
          if (e.op === '=' && ((r.t === 'id' && r.n === 'NULL') || integerValue(r, program, f.file) === 0n)) return;
          const got = e.op === '=' ? keysOf(f, e.r, api, fenv, depth + 1) : undefined;
          given++;
          if (got) out.push(...got);
          else bad = true;
        }
      });
    }
    return bad || given === 0 ? undefined : out;
  };
  const naming = new Map<string, boolean>();
  /** Does a file's text name `name`, itself or through a macro it uses (by the file's lexical facts)? */
  const mayName = (file: string, name: string): boolean => {
    const at = `${file}\u0000${name}`;
    let v = naming.get(at);
    if (v === undefined) {
      const idents = program.files.get(file)?.lex.idents;
      v =
        idents === undefined ||
        idents.some((w) => w === name || (program.macro(file, w)?.body.match(WORDS)?.includes(name) ?? false));
      naming.set(at, v);
    }
    return v;
  };
  /** Is `callee` a macro whose body names `name` (`#define KEEP(t) (g_Timer = &(t)->Stats)`)? */
  const macroNames = (file: string, callee: Expr, name: string): boolean =>
    callee.t === 'id' && (program.macro(file, callee.n)?.body.match(WORDS)?.includes(name) ?? false);

  const closure = new Set<FnDef>();
  for (const r of roots) for (const f of reachableFrom(program, r)) closure.add(f);
  const cancelled: { key: string; fn: FnDef; line: number; call: string }[] = [];
  const elsewhere: { key: string; fn: FnDef; line: number; call: string }[] = [];
  let unknownCancel: { fn: FnDef; line: number; text: string } | undefined;
  for (const fn of program.functions)
    for (const api of rule.cancel) {
      if (!program.callsApi(fn, api.call)) continue;
      for (const site of apiCalls(program, fn, api.call)) {
        const arg = site.call.a[api.arg] as Expr | undefined;
        if (!arg) continue;
        // Reached from halt: only the arguments its callers on the way give count.
        if (closure.has(fn)) {
          const got = keysOf(fn, arg, api, site.env, 0, closure);
          if (got) for (const key of got) cancelled.push({ key, fn, line: site.p[0], call: api.call });
          else unknownCancel ??= { fn, line: site.p[0], text: exprText(site.call) };
        }
        for (const key of keysOf(fn, arg, api, site.env, 0) ?? [])
          elsewhere.push({ key, fn, line: site.p[0], call: api.call });
      }
    }
  if (unknownCancel) {
    notices.push({
      kind: 'unresolved',
      withheld: true,
      path: unknownCancel.fn.file,
      line: unknownCancel.line,
      message: `${rule.id} was not checked: ${unknownCancel.text} in ${unknownCancel.fn.name}, on the way of ${roleLabel(pack, rule.roles[0])}, names no storage ndis-review can follow, so it may cancel any of the driver's objects.`,
    });
    return [];
  }

  // Halt may wait for a one-shot timer to run out instead of cancelling it (a reference count and an event).
  const haltWaits = [...closure].some((f) => rule.waits.some((w) => program.callsApi(f, w)));
  const drafts: Draft[] = [];
  for (const fn of sets)
    for (const api of rule.set) {
      if (!program.callsApi(fn, api.call)) continue;
      for (const site of apiCalls(program, fn, api.call)) {
        const arg = site.call.a[api.arg] as Expr | undefined;
        const got = arg ? keysOf(fn, arg, api, site.env, 0) : undefined;
        if (!got?.length) continue;
        const period = api.periodArg === undefined ? undefined : site.call.a[api.periodArg];
        const periodValue = period ? integerValue(period, program, fn.file) : undefined;
        const periodic = api.periodic === true || (periodValue !== undefined && periodValue !== 0n);
        if (!periodic && haltWaits) continue;
        const missing = got.filter((k) => !cancelled.some((c) => sameResource(c.key, k)));
        if (missing.length === 0) continue;
        const key = missing[0];
        const other = elsewhere.find((c) => sameResource(c.key, key));
        const messageId = other ? 'cancelledElsewhere' : 'neverCancelled';
        const message = formatMessage(rule, messageId, {
          call: api.call,
          object: displayKey(key),
          roles: roleLabel(pack, rule.roles[0]),
          where: other ? `${other.fn.name} (${other.fn.file}:${String(other.line)})` : '',
          advice: rule.advice,
        });
        drafts.push(
          callDraft(rule, fn, site.p, {
            message,
            messageId,
            trace: [
              callStep(fn, site, `sets ${displayKey(key)} with ${api.call}`),
              ...roots.map((r) => ({
                path: r.file,
                line: r.fact.p[0],
                message: `${r.name} (${roleLabel(
                  pack,
                  defined(
                    program.rolesOf(r).find((x) => rule.roles.includes(x.role)),
                    `role of ${r.name}`,
                  ).role,
                )}) and the functions it calls cancel or free no ${displayKey(key)}`,
              })),
              ...(other
                ? [{ path: other.fn.file, line: other.line, message: `${other.fn.name} calls ${other.call} on it` }]
                : []),
            ],
            identity: [rule.id, fn.file, fn.name, key],
          }),
        );
      }
    }
  return drafts;
}

/** Initializers of the local `name` in a body. */
function declsOf(body: import('../ast.js').Stmt, name: string): Expr[] {
  const out: Expr[] = [];
  walkStmts(body, (s) => {
    if (s.k === 'decl') for (const d of s.d) if (d.n === name && d.init) out.push(d.init);
  });
  return out;
}
