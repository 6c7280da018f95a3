/**
 * The resource model: acquire calls make a group (one mapping, under every
 * name it is stored as), held outright or on its call's status (`cond`);
 * release calls release it; storing NULL after a release or a failure makes it
 * `null`. A handle's value is its group's: held is non-NULL, a conditional
 * handle is non-NULL exactly where its status is success.
 */
import type { Expr, Stmt } from './ast.js';
import { exprText } from './extract.js';
import { castOfAddress, sameResource, stripCasts, type TypeEnv } from './keys.js';
import { MAX_MACRO_NESTING } from './macros.js';
import { walkExprs, type FnDef } from './program.js';
import type { ResourceDef } from './rulepack.js';
import { functionEnv } from './sites.js';
import { isFieldKey, siteId, type AcquireSite, type Birth, type Group, type State, type Val } from './pathstate.js';
import { addressedFieldKey, BudgetExceeded, keyOf, type Analysis, type Ctx, type Outcome } from './pathcontext.js';
import { evalArgs } from './patheval.js';
import { birth, opaqueCall } from './pathcalls.js';
import { visitExpansion } from './pathmacro.js';
import { isTracked } from './pathnames.js';
import { aliased } from './pathalias.js';
import { defined } from '../util/defined.js';
import { rememberedPer } from '../util/memo.js';

/** Suffix of the name and id under which an array keeps an earlier element still held (see `acquire`). */
const EARLIER = '~earlier';
/** Suffix of the name under which a struct type's field keeps another instance's handle (`keepOtherInstance`). */
const OTHER = '~other';

/** The storage a name stands for: an array's earlier element or another instance is its array's or field's. */
function baseName(k: string): string {
  if (k.endsWith(EARLIER)) return k.slice(0, -EARLIER.length);
  return k.endsWith(OTHER) ? k.slice(0, -OTHER.length) : k;
}

/** The group a resource key names: every group id in `res` has its group. */
export function groupOf(s: State, gid: string): Group {
  return defined(s.groups.get(gid), `group ${gid}`);
}

/** Held for sure on this path: acquired without a status, or its status was seen to be success. */
function stillHeld(g: Group, s: State): boolean {
  return g.st === 'held' || (g.st === 'cond' && g.sym !== undefined && s.cons.get(g.sym)?.z === true);
}

/** Acquired on a status this path has not tested yet. */
function undecided(g: Group, s: State): boolean {
  return g.st === 'cond' && g.sym !== undefined && !s.cons.has(g.sym);
}

/**
 * An array's elements mapped by one call, in one canonical state: held. A loop that maps element after
 * element reaches its head with the first element held (its status seen to be success) after one
 * round, and with an earlier element held beside a later one whose test read the earlier one after
 * two; nothing tells the two apart (a release of the array releases both, a test of an element reads
 * non-NULL either way, a failing path leaks the array either way), so both are one held element and
 * the loop's later rounds add no state.
 */
export function foldElements(s: State): void {
  for (const [name, gid] of s.res) {
    if (!name.includes('[]') || name.endsWith(EARLIER) || name.endsWith(OTHER)) continue;
    const g = s.groups.get(gid);
    if (g?.st !== 'cond') continue;
    const eid = s.res.get(`${name}${EARLIER}`);
    const earlier = eid === undefined ? undefined : s.groups.get(eid);
    const withEarlier = earlier !== undefined && eid === `${gid}${EARLIER}` && earlier.st === 'held';
    if (withEarlier ? !(stillHeld(g, s) || undecided(g, s)) : !stillHeld(g, s)) continue;
    if (withEarlier) {
      let alone = true;
      for (const [n, x] of s.res) if (x === eid && n !== `${name}${EARLIER}`) alone = false;
      if (!alone) continue;
      s.res.delete(`${name}${EARLIER}`);
      s.groups.delete(eid);
    }
    // The status symbol stays: a leak's trace reads where the acquire was seen to succeed from it.
    s.groups.set(gid, { ...g, st: 'held' });
  }
}

/** Groups no name refers to any more are out of reach: stop tracking them. */
export function dropNameless(s: State): void {
  const named = new Set(s.res.values());
  // A mapping still held when its last name goes (a helper's local) is leaked, not gone: it stays, nameless,
  // so failure paths report it and halt (which cannot name it) never releases it.
  for (const [gid, g] of [...s.groups]) {
    if (named.has(gid)) continue;
    const failed = g.st === 'cond' && g.sym !== undefined && s.cons.get(g.sym)?.z === false;
    if (g.st === 'released' || g.st === 'null' || failed) s.groups.delete(gid);
  }
}

export function resVal(s: State, k: string): Val {
  // An array whose earlier element is still held: a test of "the" element is taken to find that one
  // (a cleanup loop's `if (Va[i] != NULL) Unmap(Va[i])` releases it on some round; a path that skips
  // every round would be a false alarm).
  const earlier = s.res.get(`${k}${EARLIER}`);
  if (earlier !== undefined && stillHeld(groupOf(s, earlier), s)) return { k: 'NZ' };
  const g = s.res.get(k);
  // Another instance's handle still held: once the latest one's status is decided (the acquire's own
  // check is past), a test of "the" field is taken to find that one, as for an array's earlier element.
  const other = s.res.get(`${k}${OTHER}`);
  if (other !== undefined && stillHeld(groupOf(s, other), s) && !(g !== undefined && undecided(groupOf(s, g), s)))
    return { k: 'NZ' };
  return g ? groupVal(groupOf(s, g)) : { k: 'top' };
}

/** The handle's value as a pointer: held → nonzero, NULL → zero, conditional → the status symbol's mirror. */
function groupVal(g: Group): Val {
  if (g.st === 'held' || g.st === 'released') return { k: 'NZ' };
  if (g.st === 'null') return { k: 'Z' };
  // The handle is decided where the acquisition returned its status.
  return {
    k: 'sym',
    id: `!${String(g.sym)}`,
    b: { at: g.acqStep, file: g.site.file, p: g.site.p },
  };
}

/** The group a key names: exactly, or a field path whose struct type one side does not know. */
function resourceOf(s: State, k: string): string | undefined {
  const exactHit = s.res.get(k);
  if (exactHit !== undefined || !k.includes('.')) return exactHit;
  for (const [name, gid] of s.res) if (sameResource(name, k)) return gid;
  return undefined;
}

export function handleKey(an: Analysis, arg: Expr | undefined, isOut: boolean, ctx: Ctx): string | undefined {
  if (!arg) return undefined;
  const plain = castOfAddress(stripCasts(arg));
  if (isOut) {
    if (plain.t === 'un' && plain.op === '&') return keyOf(an, plain.e, ctx.env);
    if (plain.t === 'id' && ctx.env.pointees?.has(plain.n)) return ctx.env.pointees.get(plain.n);
    return keyOf(an, { t: 'un', op: '*', e: plain }, ctx.env);
  }
  return keyOf(an, plain, ctx.env);
}

export function noteName(an: Analysis, s: State, gid: string, name: string): void {
  const g = s.groups.get(gid);
  if (!g) return;
  const rec = an.sites.get(siteId(g.site));
  if (rec) rec.names.add(name);
}

/**
 * `target`: where a handle the call returns is stored (`x = NdisAllocateIoWorkItem(h)`); without it such
 * a call names nothing and is not tracked.
 */
export function acquire(
  an: Analysis,
  e: Extract<Expr, { t: 'call' }>,
  s: State,
  ctx: Ctx,
  target?: { key: string; text: string },
): Outcome[] {
  const r = an.resource.acquire;
  const returned = r.result === 'non-null-return';
  const handle = returned ? undefined : e.a[r.handleArg];
  const key = returned ? target?.key : handleKey(an, handle, r.handleIsOut, ctx);
  return evalArgs(an, e.a, s, ctx).map(({ state }) => {
    if (!key) return { state, val: { k: 'top' } };
    const site: AcquireSite = {
      file: ctx.fn.file,
      fn: ctx.fn.name,
      p: e.p,
      // Without the invocation number: one call site is one site whichever path reaches it
      // (ids and fingerprints must not depend on the order paths were walked).
      key: key.replace(/#\d+:/, ':'),
      text: handle ? exprText(castOfAddress(stripCasts(handle))).replace(/^&/, '') : (target?.text ?? key),
    };
    const sid = siteId(site);
    if (!an.sites.has(sid)) an.sites.set(sid, { site, names: new Set([key]) });
    const sym = `${ctx.env.frame}:${String(e.p[0])}:${String(e.p[1])}`;
    const gid = sid;
    // Array elements are one resource, but the next element mapped by the same call (a BAR loop's
    // next round) does not undo the earlier one: a mapping this path knows it still holds stays held
    // under its own id, so a failure of the next one still leaks it. One earlier element is enough.
    const before = state.groups.get(gid);
    const earlierKey = `${key}${EARLIER}`;
    const earlier = state.res.get(earlierKey);
    if (
      key.includes('[]') &&
      before &&
      stillHeld(before, state) &&
      !(earlier !== undefined && stillHeld(groupOf(state, earlier), state))
    ) {
      // Held for sure, and no longer tied to the call's status symbol, which the next round reuses.
      const { sym: _sym, ...rest } = before;
      state.groups.set(`${gid}${EARLIER}`, { ...rest, st: 'held' });
      state.res.set(earlierKey, `${gid}${EARLIER}`);
    }
    keepOtherInstance(state, key, gid);
    state.cons.delete(sym);
    state.cons.delete(`!${sym}`);
    state.res.set(key, gid);
    state.vals.delete(key);
    // Whatever says success (a status, a non-NULL handle), the handle is non-NULL exactly when it succeeded.
    const group: Group = {
      st: r.result === 'none' ? 'held' : 'cond',
      sym,
      site,
      acqStep: state.step,
      frames: ctx.frames,
    };
    state.groups.set(gid, group);
    if (r.result === 'status') {
      setSuccessFields(an, r, handle, state, ctx, sym);
      setNonZeroArgs(an, r, e, state, ctx, sym);
    }
    dropNameless(state);
    if (returned) return { state, val: groupVal(group), res: gid };
    // A call that returns nothing has no value to read; code that reads one anyway (a driver's own shim)
    // is taken to report success as a status does.
    return { state, val: r.result === 'none' ? { k: 'top' } : { k: 'sym', id: sym, b: birth(state, ctx, e) } };
  });
}

/**
 * A field named by its struct type (`MSDU.BufferVa`) stands for that field of every instance: another
 * call site storing into it while a mapping it made is held (athwifi's coalesce buffers of queue 0,
 * then the data buffers of the other queues, each through `msdu = &Queue->MSDUArray[i]`) most likely
 * fills another instance. The earlier one stays held under the `OTHER` name, as an array's earlier
 * element does under `EARLIER`, instead of losing its last name and reading as leaked.
 */
function keepOtherInstance(s: State, key: string, gid: string): void {
  const prev = s.res.get(key);
  if (prev === undefined || prev === gid || !isFieldKey(key)) return;
  const otherKey = `${key}${OTHER}`;
  const other = s.res.get(otherKey);
  if (other !== undefined && stillHeld(groupOf(s, other), s)) return;
  if (stillHeld(groupOf(s, prev), s)) s.res.set(otherKey, prev);
}

/** Another resource's acquire: its status, and its handle non-NULL exactly when that status is success. */
export function correlatedAcquire(
  an: Analysis,
  e: Extract<Expr, { t: 'call' }>,
  other: ResourceDef,
  s: State,
  ctx: Ctx,
): { state: State; val: Val }[] {
  const key = handleKey(an, e.a[other.acquire.handleArg], true, ctx);
  return opaqueCall(an, e, s, ctx, []).map(({ state, val }) => {
    if (key && val.k === 'sym' && !state.res.has(key) && isTracked(an, key))
      state.vals.set(key, { k: 'sym', id: `!${val.id}`, ...(val.b ? { b: val.b } : {}) });
    if (val.k === 'sym') setSuccessFields(an, other.acquire, e.a[other.acquire.handleArg], state, ctx, val.id, val.b);
    return { state, val };
  });
}

/**
 * The fields an acquire sets exactly when it succeeds (`successFields`), of the storage its handle
 * argument points to (`&A->Interrupt`): non-zero exactly where the status symbol `status` is zero.
 */
function setSuccessFields(
  an: Analysis,
  acq: ResourceDef['acquire'],
  handle: Expr | undefined,
  s: State,
  ctx: Ctx,
  status: string,
  b?: Birth,
): void {
  if (!acq.successFields?.length || !handle) return;
  for (const f of acq.successFields) {
    const k = addressedFieldKey(an, handle, f, ctx.env);
    if (k && !s.res.has(k) && isTracked(an, k)) s.vals.set(k, { k: 'sym', id: `!${status}`, ...(b ? { b } : {}) });
  }
}

/**
 * The arguments an acquire cannot succeed with when zero (`nonZeroArgs`), named by a variable or field
 * whose value the path does not know: non-zero exactly where the status symbol `status` is zero.
 */
function setNonZeroArgs(
  an: Analysis,
  acq: ResourceDef['acquire'],
  e: Extract<Expr, { t: 'call' }>,
  s: State,
  ctx: Ctx,
  status: string,
): void {
  for (const i of acq.nonZeroArgs ?? []) {
    const arg = e.a[i] as Expr | undefined;
    const k = arg ? keyOf(an, stripCasts(arg), ctx.env) : undefined;
    const known = k === undefined ? undefined : s.vals.get(k);
    if (k && (!known || known.k === 'top') && !s.res.has(k) && isTracked(an, k))
      s.vals.set(k, { k: 'sym', id: `!${status}` });
  }
}

/** `rhs` is a call of an acquire that returns its handle: the call, when so. */
export function returningAcquire(an: Analysis, rhs: Expr, ctx: Ctx): Extract<Expr, { t: 'call' }> | undefined {
  if (an.resource.acquire.result !== 'non-null-return') return undefined;
  const c = stripCasts(rhs);
  if (c.t !== 'call' || c.f.t !== 'id') return undefined;
  return an.program.aliasOf(ctx.fn.file, c.f.n) === an.resource.acquire.call ? c : undefined;
}

/** Held on this path: mapped and not released, unless the path has seen the mapping fail. */
export function definitelyHeld(g: Group, s: State): boolean {
  if (g.st === 'held') return true;
  // A status never tested leaves both outcomes open; where the mapping succeeded, it is held.
  if (g.st === 'cond' && g.sym) return s.cons.get(g.sym)?.z !== false;
  return false;
}

/** Held unless the path shows otherwise; a success return decides its own status. */
export function possiblyHeld(g: Group, s: State, ret: Val): boolean {
  if (g.st === 'held') return true;
  if (g.st !== 'cond' || !g.sym) return false;
  const c = s.cons.get(g.sym);
  if (c) return c.z;
  return ret.k !== 'sym' || ret.id === g.sym || !s.cons.has(ret.id);
}

/** Does the loop body release (directly, through a macro or a helper) a mapping this path may hold? */
export function loopReleasesHeld(an: Analysis, body: Stmt, s: State, ctx: Ctx): boolean {
  const held = [...s.res]
    .filter(([, gid]) => {
      const g = s.groups.get(gid);
      return g && (g.st === 'held' || (g.st === 'cond' && (g.sym === undefined || s.cons.get(g.sym)?.z !== false)));
    })
    // An array's earlier element (another instance's handle) is released by a release of the array (the field).
    .map(([k]) => baseName(k));
  if (!held.length) return false;
  const released = new Set<string>();
  // In the loop's own function, a local bound to storage on this path names it (`pathalias.ts`).
  collectReleases(an, body, ctx.fn, ctx.env, released, 0, new Set(), (x) => aliased(an, x, s, ctx));
  return held.some((h) => [...released].some((r) => sameResource(h, r)));
}

function collectReleases(
  an: Analysis,
  body: Stmt,
  fn: FnDef,
  env: TypeEnv,
  out: Set<string>,
  depth: number,
  seen: Set<FnDef>,
  read: (e: Expr) => Expr = (x) => x,
): void {
  const rel = an.resource.release;
  const macroOf = (n: string) =>
    an.program.aliasOf(fn.file, n) === rel.call || an.program.resolve(fn.file, n).length
      ? undefined
      : an.program.macroBody(fn.file, n);
  const visit = (e: Expr, painted: readonly string[], d: number): void => {
    if (e.t !== 'call' || e.f.t !== 'id') return;
    const name = an.program.aliasOf(fn.file, e.f.n);
    if (name === rel.call) {
      const arg = e.a[rel.handleArg] as Expr | undefined;
      const k = handleKey(an, arg && read(arg), rel.handleIsOut ?? false, {
        fn,
        env,
        depth,
        stack: [],
        frames: [],
        p: e.p,
      });
      if (k) out.add(k);
      return;
    }
    const targets = an.program.resolve(fn.file, name);
    if (!targets.length) {
      // C does not expand a macro again inside its own expansion.
      const mb = painted.includes(name) ? undefined : an.program.macroBody(fn.file, name);
      if (mb?.params.length !== e.a.length) return;
      // Past the nesting or the step budget the loop's releases are unknown: the walk stops (a budget notice).
      if (d >= MAX_MACRO_NESTING) throw new BudgetExceeded();
      visitExpansion(an, e, mb, name, painted, macroOf, d, visit);
      return;
    }
    for (const t of targets) {
      if (!an.relevant.has(t) || seen.has(t) || depth > 4) continue;
      seen.add(t);
      collectReleases(an, t.body, t, functionEnv(t), out, depth + 1, seen);
    }
  };
  walkExprs(body, (e) => {
    visit(e, [], 0);
  });
}

/** What a helper can do to the resource, read from its text: `undefined` where the text cannot tell. */
interface HelperReach {
  /** It (or a helper it reaches) calls the acquire, or another resource's acquire the walk follows. */
  acquires: boolean;
  /** The storage keys its releases name, in its own terms (fields by struct type). */
  releases: string[];
}

/** The acquires and releases `fn` reaches by plain calls and macros, as deep as a loop's are read. */
const reachOfHelper: (an: Analysis, fn: FnDef) => HelperReach | undefined = rememberedPer(readReachOfHelper);

function readReachOfHelper(an: Analysis, fn: FnDef): HelperReach | undefined {
  const out: HelperReach = { acquires: false, releases: [] };
  // Set false where the text cannot tell (closures assign it: an object, not a `let`).
  const reading = { known: true };
  const rel = an.resource.release;
  const visitFn = (f: FnDef, depth: number, seen: Set<FnDef>): void => {
    const env = functionEnv(f);
    const macroOf = (n: string) => (an.program.resolve(f.file, n).length ? undefined : an.program.macroBody(f.file, n));
    const visit = (e: Expr, painted: readonly string[], d: number): void => {
      if (!reading.known || e.t !== 'call') return;
      if (e.f.t !== 'id') {
        // A call through a pointer may reach anything.
        reading.known = false;
        return;
      }
      const name = an.program.aliasOf(f.file, e.f.n);
      if (name === an.resource.acquire.call || an.correlated.has(name)) {
        out.acquires = true;
        return;
      }
      if (name === rel.call) {
        const k = handleKey(an, e.a[rel.handleArg], rel.handleIsOut ?? false, {
          fn: f,
          env,
          depth,
          stack: [],
          frames: [],
          p: e.p,
        });
        // A release of what a caller handed it by address or by a variable: only the walk can tell.
        if (k === undefined || !isFieldKey(k)) reading.known = false;
        else out.releases.push(k);
        return;
      }
      const targets = an.program.resolve(f.file, name);
      if (!targets.length) {
        const mb = painted.includes(name) ? undefined : macroOf(name);
        if (mb?.params.length !== e.a.length) return;
        if (d >= MAX_MACRO_NESTING) {
          reading.known = false;
          return;
        }
        visitExpansion(an, e, mb, name, painted, macroOf, d, visit);
        return;
      }
      for (const t of targets) {
        if (!an.relevant.has(t) || seen.has(t)) continue;
        if (depth >= 4) {
          reading.known = false;
          return;
        }
        seen.add(t);
        visitFn(t, depth + 1, seen);
      }
    };
    walkExprs(f.body, (e) => {
      visit(e, [], 0);
    });
  };
  visitFn(fn, 0, new Set([fn]));
  return reading.known ? out : undefined;
}

/**
 * Can walking `fn` change what this path holds? Not when it acquires nothing and none of its releases
 * can name storage of a mapping the path still holds (a cleanup routine of other buffers, called on a
 * failing path of initialize): such a helper is an opaque call like any helper that reaches neither.
 */
export function helperMayChangeHeld(an: Analysis, fn: FnDef, s: State): boolean {
  const r = reachOfHelper(an, fn);
  if (r === undefined || r.acquires) return true;
  if (r.releases.length === 0) return false;
  for (const [k, gid] of s.res) {
    const g = s.groups.get(gid);
    if (!g || g.st === 'released' || g.st === 'null') continue;
    const name = baseName(k);
    // A name held in a variable of the walk: a helper may reach it through storage the text does not show.
    if (!isFieldKey(name)) {
      if (name.startsWith('*') || name.startsWith('G:')) return true;
      continue;
    }
    if (r.releases.some((x) => sameResource(name, x))) return true;
  }
  return false;
}

/** The release call: the group its handle names is released (evaluated after its arguments). */
export function release(an: Analysis, e: Extract<Expr, { t: 'call' }>, s: State, ctx: Ctx): Outcome[] {
  const r = an.resource;
  const hk = handleKey(an, e.a[r.release.handleArg], r.release.handleIsOut ?? false, ctx);
  return evalArgs(an, e.a, s, ctx).map(({ state }) => {
    const gid = hk ? resourceOf(state, hk) : undefined;
    const released = (id: string) => state.groups.set(id, { ...groupOf(state, id), st: 'released' });
    if (gid !== undefined) released(gid);
    // Which element (or instance) is released is not told apart: the one held beside it goes too.
    for (const suffix of [EARLIER, OTHER]) {
      const beside = hk ? state.res.get(`${hk}${suffix}`) : undefined;
      if (beside !== undefined) released(beside);
    }
    return { state, val: { k: 'top' } };
  });
}
