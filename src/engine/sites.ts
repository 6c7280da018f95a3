/**
 * Call sites of an API inside one function, looking through function-like
 * macros (a call from a macro is placed at the macro's use), with the
 * variable types in scope so the handle and length read as resource keys.
 */
import type { Expr, Pos, Stmt } from './ast.js';
import type { TypeEnv } from './keys.js';
import { MAX_NESTING } from './extract.js';
import { noteLimit } from './limits.js';
import { MAX_MACRO_NESTING, exprDeeperThan, expandUse } from './macros.js';
import { walkExprs, walkStmts, type FnDef, type Program } from './program.js';

export interface ApiCall {
  call: Extract<Expr, { t: 'call' }>;
  /** Position reported: the call, or the outermost macro use. */
  p: Pos;
  env: TypeEnv;
  /** Macro used at the site, if any. */
  viaMacro?: string;
}

const envCache = new WeakMap<Stmt, TypeEnv>();

/** Variables in scope anywhere in a function (C allows no two locals of one name to disagree much in practice). */
export function functionEnv(fn: FnDef): TypeEnv {
  const hit = envCache.get(fn.body);
  // A body kept from an earlier scan's program: its function may be numbered otherwise now.
  if (hit?.frame === `${fn.name}#${String(fn.id)}`) return hit;
  const vars = new Map<string, { ty: string; ptr: number }>();
  for (const p of fn.params) vars.set(p.n, { ty: p.ty, ptr: p.ptr });
  walkStmts(fn.body, (s) => {
    if (s.k === 'decl') for (const d of s.d) if (!vars.has(d.n)) vars.set(d.n, { ty: d.ty, ptr: d.ptr });
  });
  const env: TypeEnv = { frame: `${fn.name}#${String(fn.id)}`, vars };
  envCache.set(fn.body, env);
  return env;
}

/** No macro expanded yet: one shared list (this runs for every expression of every function, per API). */
const NOTHING_PAINTED: readonly string[] = Object.freeze([]);

/** Macro bodies put in while looking for one API's calls in one function: far past real code, far below a hang. */
const MAX_API_EXPANSIONS = 20_000;

/** Calls of each API in a function, by function: several rules (and a leak's fix) ask for the same ones. */
const callsCache = new WeakMap<FnDef, Map<string, readonly ApiCall[]>>();

/** The calls of `api` in `fn`, found once per function and API. */
export function apiCalls(program: Program, fn: FnDef, api: string): readonly ApiCall[] {
  let byApi = callsCache.get(fn);
  if (!byApi) callsCache.set(fn, (byApi = new Map<string, readonly ApiCall[]>()));
  let hit = byApi.get(api);
  if (!hit) {
    const found = foundOnce(program.sites, fn, api, () => findApiCalls(program, fn, api));
    const env = functionEnv(fn);
    hit = found.calls.map((c) => ({ ...c, env }));
    if (found.stopped)
      noteLimit(program, {
        kind: 'budget',
        withheld: true,
        path: fn.file,
        line: found.stopped.p[0],
        message: `Calls of ${api} through the macro ${found.stopped.macro} in ${fn.name} were looked for only partly: its expansion nests more than ${String(MAX_MACRO_NESTING)} macros deep or takes more than ${String(MAX_API_EXPANSIONS)} steps, so a call of ${api} in it may be missed.`,
      });
    byApi.set(api, hit);
  }
  return hit;
}

/** What the look for one API's calls in one body found: the calls, and where it stopped at a limit. */
interface FoundCalls {
  calls: readonly Omit<ApiCall, 'env'>[];
  stopped?: { p: Pos; macro: string };
}

/**
 * Calls found in bodies by the programs of earlier scans whose link signature (macros, types, which
 * functions there are and what they call: `Program.sites`) is this one's: what the look reads of the
 * program is the same, so a body kept from then (a file the edit did not touch) has the same calls.
 */
export type SiteMemo = WeakMap<Stmt, Map<string, FoundCalls>>;

function foundOnce(memo: SiteMemo | undefined, fn: FnDef, api: string, find: () => FoundCalls): FoundCalls {
  if (!memo) return find();
  let byApi = memo.get(fn.body);
  if (!byApi) memo.set(fn.body, (byApi = new Map<string, FoundCalls>()));
  let found = byApi.get(api);
  if (!found) byApi.set(api, (found = find()));
  return found;
}

/** Looks made for an API's calls in a body (not found again in a memo); tests check the memo. */
export const siteLooks = { made: 0 };

function findApiCalls(program: Program, fn: FnDef, api: string): FoundCalls {
  siteLooks.made++;
  const out: Omit<ApiCall, 'env'>[] = [];
  let steps = 0;
  /** Where the look stopped at a limit, and which macro it was in. */
  let stopped: { p: Pos; macro: string } | undefined;
  const next = (name: string) =>
    program.aliasOf(fn.file, name) === api || program.resolve(fn.file, name).length
      ? undefined
      : program.macroBody(fn.file, name);
  const visitExpr = (e: Expr, painted: readonly string[], depth: number, via: string | undefined) => {
    if (e.t !== 'call' || e.f.t !== 'id') return;
    const name = e.f.n;
    if (program.aliasOf(fn.file, name) === api) {
      out.push({ call: e, p: e.p, ...(via ? { viaMacro: via } : {}) });
      return;
    }
    // As in C, a macro is not expanded again inside its own expansion.
    if (painted.includes(name) || program.resolve(fn.file, name).length) return;
    const mb = program.macroBody(fn.file, name);
    if (mb?.params.length !== e.a.length) return;
    // A macro that reaches the API neither by name nor through a parameter it calls holds no call of it.
    if (
      !program.expansionCallsParameter(fn.file, name) &&
      !program.expandName(fn.file, name).some((x) => x.name === api)
    )
      return;
    if (stopped) return;
    if (depth >= MAX_MACRO_NESTING || steps >= MAX_API_EXPANSIONS) {
      stopped = { p: e.p, macro: via ?? name };
      return;
    }
    const x = expandUse(e, mb, name, painted, next, MAX_API_EXPANSIONS - steps);
    steps += x.steps;
    if (x.truncated || x.exprs.some((y) => exprDeeperThan(y, MAX_NESTING))) {
      stopped = { p: e.p, macro: via ?? name };
      return;
    }
    const viaName = via ?? name;
    for (const y of x.exprs)
      walkExprs({ k: 'exp', e: y, p: e.p }, (inner) => {
        visitExpr(inner, x.painted, depth + 1, viaName);
      });
  };
  walkExprs(fn.body, (e) => {
    visitExpr(e, NOTHING_PAINTED, 0, undefined);
  });
  return stopped ? { calls: out, stopped } : { calls: out };
}

/** The first call in `caller` that reaches `callee` (directly or through a macro): the line a trace shows. */
export function callSiteOf(program: Program, caller: FnDef, callee: FnDef): Pos | undefined {
  let found: Pos | undefined;
  walkExprs(caller.body, (e) => {
    if (found || e.t !== 'call' || e.f.t !== 'id') return;
    const name = e.f.n;
    if (name === callee.name && program.resolve(caller.file, name).includes(callee)) {
      found = e.p;
      return;
    }
    if (program.macro(caller.file, name) && program.expandName(caller.file, name).some((x) => x.name === callee.name))
      found = e.p;
  });
  return found;
}
