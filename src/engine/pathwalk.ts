/**
 * The walk of one function invocation over its control-flow graph: every path
 * from entry to each return, with the state each statement leaves, and the
 * stepping into helpers with the caller's state (so a helper's NULL test sees
 * what the caller knows). Loops are walked round again while the state
 * changes; join points and a helper's exits merge paths (see `pathmerge.ts`).
 */
import type { Expr, Pos } from './ast.js';
import { buildCfg } from './cfg.js';
import { exprText } from './extract.js';
import { stripCasts, type TypeEnv } from './keys.js';
import type { FnDef } from './program.js';
import { integerValue } from './values.js';
import { clone, decidedAt, type Birth, type Origin, type State, type Val } from './pathstate.js';
import { stopIfAsked } from './stop.js';
import { BudgetExceeded, MAX_STEPS, keyOf, type Analysis, type Ctx, type Exit, type Outcome } from './pathcontext.js';
import { assign, evalArgs, evalExpr, exact, isTestValue } from './patheval.js';
import { evalCond } from './pathcond.js';
import { opaqueCall } from './pathcalls.js';
import { dropNameless, loopReleasesHeld } from './pathresource.js';
import { isTracked } from './pathnames.js';
import { JoinPoints, mergeExits } from './pathmerge.js';
import { isInertIf, learnUnconditional, teachesNothing } from './pathinert.js';
import { historyInside, isPrivate, replay, summarise, summaryKey, type Bound } from './pathsummary.js';
import { shadowScopeOf, sightOf } from './pathfootprint.js';
import { NOTHING_LATER, deadStatements, readAfter, type Later } from './pathdead.js';

/** Walks remembered under one key, at most (each replay tries them in turn). */
const MAX_SUMMARIES_PER_KEY = 8;

/** Runs one invocation of `fn`; returns its exits. */
export function run(
  an: Analysis,
  fn: FnDef,
  entry: State,
  args: Expr[] | { val: Val; key?: string; pointee?: string }[],
  depth: number,
  stack: FnDef[],
  frames: readonly string[] = [],
  /** Where the caller calls it (`line:column`); none for a walk's root. */
  site = '',
  /** What may be read after it returns (`pathdead.ts`): nothing of a root's walk. */
  later: Later = NOTHING_LATER,
): Exit[] {
  // A helper walked before in this context, from an arrival it cannot tell from this one.
  const bound = depth > 0 ? (args as Bound[]) : [];
  // Statements of its body nothing after this call reads the work of: gone past, out of sight.
  const dead = depth > 0 ? deadStatements(an, fn, later) : undefined;
  // Keyed by the part of the arrival the walk can reach (`pathfootprint.ts`).
  const sight = depth > 0 && an.remember ? sightOf(an, fn, bound, (k) => isPrivate(k, frames), dead) : undefined;
  const shadow = sight ? shadowScopeOf(an, fn, bound) : undefined;
  // What is read after the call, so what its walk goes past, follows from the calling invocation and
  // the call site (`pathdead.ts`), which the key holds already.
  const memoKey = depth > 0 && an.remember ? summaryKey(fn, entry, bound, frames, site, sight, shadow) : undefined;
  const remembered = memoKey === undefined ? undefined : an.summaries.get(memoKey);
  // Walks remembered under this key: arrivals it cannot tell apart may still differ where a replay
  // looks (the history before the call, a value it reads back, the names of a group the walk
  // changes), so the first that replays is taken, and a walk no replay fitted is remembered beside.
  for (const hit of remembered ?? []) {
    const replayed = historyInside(entry, hit.walked) ? undefined : replay(an, hit, entry, bound);
    if (replayed) {
      an.replays++;
      an.walkLog.push(...hit.walked);
      return replayed;
    }
  }
  const pristine =
    memoKey !== undefined && (remembered?.length ?? 0) < MAX_SUMMARIES_PER_KEY ? clone(entry) : undefined;
  const counters = { splits: an.splits, openSplits: an.openSplits, steps: an.steps, log: an.walkLog.length };
  an.walkLog.push(fn);
  const cfg = buildCfg(fn.body);
  const pointees = new Map<string, string>();
  const env: TypeEnv = { frame: frameName(an, fn, frames, site), vars: new Map(), pointees };
  const state = entry;
  const entryStep = entry.step;
  fn.params.forEach((p, i) => {
    env.vars.set(p.n, { ty: p.ty, ptr: p.ptr });
    const a = args[i] as { val: Val; key?: string; pointee?: string } | undefined;
    if (!a) return;
    const pk = `${env.frame}:${p.n}`;
    state.vals.set(pk, a.val);
    const group = a.key ? state.res.get(a.key) : undefined;
    if (group !== undefined) state.res.set(pk, group);
    if (a.pointee) pointees.set(p.n, a.pointee);
  });
  an.keyCache.set(env, new Map());
  const exits: Exit[] = [];
  const joins = new JoinPoints(an, cfg, env, fn);
  const work: { node: number; state: State }[] = [{ node: cfg.entry, state }];
  const ctx: Ctx = { fn, env, depth, stack, frames: [...frames, env.frame], p: fn.fact.p, later, dead };
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { node, state: s } = item;
    if (++an.steps > MAX_STEPS) throw new BudgetExceeded();
    if ((an.steps & 1023) === 0) stopIfAsked();
    const n = cfg.nodes[node];
    ctx.node = node;
    s.step++;
    if ('p' in n) ctx.p = n.p;
    if (cfg.joins[node] && !joins.admit(node, s)) continue;
    switch (n.t) {
      case 'end':
        exits.push({ state: s, ret: { k: 'top' } });
        break;
      case 'nop':
        work.push({ node: n.next, state: s });
        break;
      case 'jump':
        s.events = {
          kind: n.kind,
          file: fn.file,
          fn: fn.name,
          p: n.p,
          step: s.step,
          depth,
          frame: env.frame,
          prev: s.events,
        };
        work.push({ node: n.next, state: s });
        break;
      case 'exp': {
        const plain = stripCasts(n.e);
        ctx.discarded = plain.t === 'call' ? plain : undefined;
        const splitsBefore = an.splits;
        const openBefore = an.openSplits;
        const outs = evalExpr(an, n.e, s, ctx);
        ctx.discarded = undefined;
        // A test whose outcome is stored (`ok = (Status == NDIS_STATUS_SUCCESS);`) and that split the
        // path here is the path's decision, as the `if (!ok)` that reads it would have been.
        const test = plain.t === 'asg' && plain.op === '=' && isTestValue(plain.r) ? plain.r : undefined;
        for (const r of outs) {
          if (test) storedDecision(an, r.state, r.val, test, fn.file, n.p, splitsBefore, openBefore);
          work.push({ node: n.next, state: r.state });
        }
        break;
      }
      case 'decl': {
        let states = [s];
        for (const d of n.d) {
          const had = env.vars.get(d.n);
          if (had?.ty !== d.ty || had.ptr !== d.ptr) {
            env.vars.set(d.n, { ty: d.ty, ptr: d.ptr });
            an.keyCache.get(env)?.clear();
          }
          const k = `${env.frame}:${d.n}`;
          const next: State[] = [];
          for (const st of states) {
            st.res.delete(k);
            if (d.init && d.init.t !== 'init') {
              const splitsBefore = an.splits;
              const openBefore = an.openSplits;
              const out = assign(an, k, d.init, st, ctx, d.n);
              // `BOOLEAN ok = (Status == NDIS_STATUS_SUCCESS);`: as for a stored test (`exp`).
              if (out.length > 1 && isTestValue(d.init))
                for (const r of out) {
                  const v = r.vals.get(k);
                  if (v) storedDecision(an, r, v, d.init, fn.file, n.p, splitsBefore, openBefore);
                }
              next.push(...out);
            } else {
              if (isTracked(an, k)) st.vals.set(k, { k: 'top' });
              else st.vals.delete(k);
              next.push(st);
            }
          }
          states = next;
        }
        for (const st of states) work.push({ node: n.next, state: st });
        break;
      }
      case 'br': {
        // A statement whose work nothing after this call reads (`pathdead.ts`): past it, once.
        if (n.whole && n.after !== undefined && ctx.dead?.has(n.whole)) {
          learnUnconditional(an, n.c, s, ctx);
          work.push({ node: n.after, state: s });
          break;
        }
        // A statement that changes nothing the walk keeps, whose tests teach nothing it needs
        // (`pathidle.ts`): past it, once.
        const idleTests = n.whole && n.after !== undefined ? an.idle.get(n.whole) : undefined;
        let past: number | undefined;
        if (idleTests && n.after !== undefined && idleTests.every((c, i) => i === 0 || teachesNothing(an, c, s, ctx))) {
          if (teachesNothing(an, n.c, s, ctx)) {
            learnUnconditional(an, n.c, s, ctx);
            work.push({ node: n.after, state: s });
            break;
          }
          // Only its own test teaches the path something: split on it as on any test, past its arms.
          if (!n.loop) past = n.after;
        }
        // A debug print's test: the same state either way, so one walk on, past it.
        if (n.stmt && isInertIf(an, n.stmt, fn, s, ctx)) {
          learnUnconditional(an, n.c, s, ctx);
          work.push({ node: n.no, state: s });
          break;
        }
        ctx.cond = n.c;
        const splitsBefore = an.splits;
        const openBefore = an.openSplits;
        let outcomes = evalCond(an, n.c, s, ctx, n.p);
        if (n.loop) {
          // Loops are not counted: where the body releases a mapping the path holds,
          // the path does not skip the loop on its first arrival.
          const head = `${env.frame}:${String(node)}`;
          const again = s.loops.has(head);
          if (!again && outcomes.length > 1 && loopReleasesHeld(an, n.loop, s, ctx))
            outcomes = outcomes.filter((o) => o.truth);
          for (const o of outcomes) {
            // Left, the loop is done: the next arrival at its head (an enclosing loop's next round) is a
            // first arrival again, for an inner loop that frees each queue's buffers in turn.
            if (o.truth) o.state.loops.add(head);
            else o.state.loops.delete(head);
            if (again && o.truth)
              o.state.events = {
                kind: 'loop',
                file: fn.file,
                fn: fn.name,
                p: n.p,
                step: o.state.step,
                depth,
                frame: env.frame,
                prev: o.state.events,
              };
          }
        }
        for (const o of outcomes) {
          // An either-way decision for this path: the condition split it from a sibling here (several
          // outcomes of a summarised helper are not a decision of this condition). A loop's exit is
          // a decision as much as an `if` is.
          if (o.state.split !== undefined && o.state.split > splitsBefore)
            noteDecision(an, o.state, fn.file, n.p, `${exprText(n.c)} is ${o.truth ? 'true' : 'false'}`, openBefore);
          // A branch learned in this condition is described by the whole condition and the way it went.
          for (const c of o.state.cons.values())
            if (c.o.at === o.state.step && c.o.how === 'branch')
              c.o = { ...c.o, text: `${exprText(n.c)} is ${o.truth ? 'true' : 'false'}` };
          work.push({ node: past ?? (o.truth ? n.yes : n.no), state: o.state });
        }
        ctx.cond = undefined;
        break;
      }
      case 'sw': {
        for (const r of evalExpr(an, n.c, s, ctx)) {
          // A value the path knows selects its case; otherwise every case (and the default) is possible.
          const v = exact(r.val);
          const hit = v === undefined ? undefined : n.cases.find((c) => integerValue(c.v, an.program, fn.file) === v);
          const targets =
            v === undefined
              ? [
                  ...n.cases.map((c) => ({ to: c.to, label: `case ${exprText(c.v)}` })),
                  { to: n.dflt, label: 'default' },
                ]
              : [hit ? { to: hit.to, label: `case ${exprText(hit.v)}` } : { to: n.dflt, label: 'default' }];
          targets.forEach((t, i) => {
            const st = i < targets.length - 1 ? clone(r.state) : r.state;
            // Which case a switch takes is a decision as much as an `if` is.
            if (targets.length > 1)
              st.lastFork = {
                at: st.step,
                file: fn.file,
                p: n.p,
                how: 'branch',
                text: `switch (${exprText(n.c)}) takes ${t.label}`,
              };
            work.push({ node: t.to, state: st });
          });
        }
        break;
      }
      case 'ret': {
        const results = n.e ? evalExpr(an, n.e, s, ctx) : [{ state: s, val: { k: 'top' } as Val }];
        for (const r of results) {
          r.state.events = {
            kind: 'return',
            file: fn.file,
            fn: fn.name,
            p: n.p,
            step: r.state.step,
            depth,
            frame: env.frame,
            prev: r.state.events,
          };
          let val = r.val;
          if ((val.k === 'Z' || val.k === 'NZ') && !val.o)
            val = {
              k: val.k,
              o: { at: r.state.step, file: fn.file, p: n.p, how: 'constant', text: n.e ? exprText(n.e) : '' },
            };
          // A returned handle stays the same resource in the caller (`Adapter->Regs = MapIt()`).
          const rk = n.e ? keyOf(an, stripCasts(n.e), env) : undefined;
          const retRes = rk !== undefined ? r.state.res.get(rk) : undefined;
          exits.push({ state: r.state, ret: val, retP: n.p, ...(retRes !== undefined ? { retRes } : {}) });
        }
        break;
      }
    }
  }
  forgetLocals(exits, env.frame, depth);
  if (depth === 0) return exits;
  const merged = mergeExits(an, exits, entryStep, env.frame);
  if (memoKey !== undefined && pristine) {
    const sum = summarise(
      pristine,
      bound,
      frames,
      merged,
      {
        splits: an.splits - counters.splits,
        openSplits: an.openSplits - counters.openSplits,
        splitBase: counters.splits,
        walkSteps: an.steps - counters.steps,
      },
      [...new Set(an.walkLog.slice(counters.log))],
      sight,
      shadow,
    );
    if (sum) {
      const list = an.summaries.get(memoKey);
      if (list) list.push(sum);
      else an.summaries.set(memoKey, [sum]);
    }
  }
  return merged;
}

/**
 * An invocation's name: one per calling context (the caller's invocation and the call site), not
 * one per walk. The symbols a helper's calls return are named by it, so two paths that called the
 * helper at the same place and learned the same of its results are one state, and merge where they
 * join, as they would had the call been inline. (A loop that calls it again reuses the names, as a
 * call site inside one invocation always did: each call forgets what was known of its old result.)
 */
function frameName(an: Analysis, fn: FnDef, frames: readonly string[], site: string): string {
  const context = `${frames.length ? frames[frames.length - 1] : ''}@${site}>${fn.name}`;
  let n = an.frameIds.get(context);
  if (n === undefined) {
    n = an.frameIds.size;
    an.frameIds.set(context, n);
  }
  return `${fn.name}#${String(n)}`;
}

/** Walks each target with the caller's state (a copy per target); `alsoOpaque` adds a call that does nothing known. */
export function stepInto(
  an: Analysis,
  targets: FnDef[],
  alsoOpaque: boolean,
  e: Extract<Expr, { t: 'call' }>,
  s: State,
  ctx: Ctx,
): Outcome[] {
  const out: Outcome[] = [];
  for (const a of evalArgs(an, e.a, s, ctx)) {
    const bound = e.a.map((arg, i) => {
      const plain = stripCasts(arg);
      const pointee = plain.t === 'un' && plain.op === '&' ? keyOf(an, plain.e, ctx.env) : undefined;
      const key = keyOf(an, plain, ctx.env);
      let val = a.vals[i];
      // A parameter is a copy of the argument: what the helper learns of it (a pointer used, so
      // not NULL) holds for the caller's storage too.
      if (key && val.k === 'top' && !a.state.res.has(key) && isTracked(an, key)) {
        // Named by the call site, as a call's result is: the same call on two paths is the same unknown.
        const id = `=${key}@${ctx.env.frame}:${String(e.p[0])}:${String(e.p[1])}`;
        a.state.cons.delete(id);
        val = { k: 'sym', id };
        a.state.vals.set(key, val);
      }
      return { val, key, pointee };
    });
    const copies = targets.length + (alsoOpaque ? 1 : 0);
    targets.forEach((target, i) => {
      if (target.damaged && !an.damaged.includes(target)) an.damaged.push(target);
      const entry = i < copies - 1 ? clone(a.state) : a.state;
      const site = `${String(e.p[0])}:${String(e.p[1])}`;
      const later = ctx.node === undefined ? 'all' : readAfter(an, ctx.fn, ctx.node, target, ctx.later ?? 'all');
      for (const x of run(an, target, entry, bound, ctx.depth + 1, [...ctx.stack, target], ctx.frames, site, later))
        out.push({ state: x.state, val: x.ret, ...(x.retRes !== undefined ? { res: x.retRes } : {}) });
    });
    if (alsoOpaque) out.push(...opaqueCall(an, e, a.state, ctx, [], true));
  }
  return out;
}

/** Clears an invocation's own storage and symbols from its exits (the outermost keeps all but its variables' values). */
function forgetLocals(exits: Exit[], frame: string, depth: number): void {
  // Locals of this invocation mean nothing to the caller, nor do its unknown call results
  // that nothing still refers to.
  const prefix = `${frame}:`;
  for (const x of exits) {
    for (const k of [...x.state.vals.keys()]) if (k.startsWith(prefix)) x.state.vals.delete(k);
    if (depth === 0) continue;
    // Its loops too: the next invocation in this context starts them afresh.
    for (const l of [...x.state.loops]) if (l.startsWith(prefix)) x.state.loops.delete(l);
    for (const k of [...x.state.res.keys()]) if (k.startsWith(prefix)) x.state.res.delete(k);
    dropNameless(x.state);
    const used = new Set<string>();
    for (const g of x.state.groups.values()) if (g.sym) used.add(g.sym);
    for (const v of x.state.vals.values()) if (v.k === 'sym') used.add(v.id.replace(/^!/, ''));
    if (x.ret.k === 'sym') used.add(x.ret.id.replace(/^!/, ''));
    for (const k of [...x.state.cons.keys()]) if (k.startsWith(prefix) && !used.has(k)) x.state.cons.delete(k);
  }
}

/** A stored test's outcome (`v`, zero or not) as the path's decision, where that test split the path. */
function storedDecision(
  an: Analysis,
  st: State,
  v: Val,
  test: Expr,
  file: string,
  p: Pos,
  splitsBefore: number,
  openBefore: number,
): void {
  if ((v.k !== 'Z' && v.k !== 'NZ') || st.split === undefined || st.split <= splitsBefore) return;
  noteDecision(an, st, file, p, `${exprText(test)} is ${String(v.k === 'NZ')}`, openBefore);
}

/**
 * The decision a test made on this path where it split it from a sibling: its last fork, unless the
 * path already has one fixed later. A split only on results of calls is decided when the last of them
 * returned.
 */
function noteDecision(an: Analysis, st: State, file: string, p: Pos, text: string, openBefore: number): void {
  const fork: Origin = { at: st.step, file, p, how: 'branch', text };
  if (an.openSplits === openBefore) {
    let latest: Birth | undefined;
    for (const c of st.cons.values())
      if (c.o.at === st.step && c.o.decided && (!latest || c.o.decided.at > latest.at)) latest = c.o.decided;
    if (latest) fork.decided = latest;
  }
  const prev = st.lastFork;
  if (!prev || decidedAt(fork) >= decidedAt(prev)) st.lastFork = fork;
}
