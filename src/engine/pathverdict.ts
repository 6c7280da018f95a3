/**
 * What a walk of initialize found, read off its exits: on each failing exit,
 * the mappings still held are leaks, reported at the first jump from which
 * initialize could only fail; on each succeeding exit, the mappings that may
 * be held are kept (halt must release them).
 */
import type { Pos } from './ast.js';
import type { FnDef } from './program.js';
import { decidedAt, type AcquireSite, type Event, type Origin, type State, type Val } from './pathstate.js';
import type { Exit } from './pathcontext.js';
import { defined } from '../util/defined.js';
import { definitelyHeld, possiblyHeld } from './pathresource.js';

export interface Leak {
  site: AcquireSite;
  names: string[];
  /** The first jump from which initialize can only fail, and the step of the path it happened at. */
  jump: { file: string; fn: string; p: Pos; kind: string; step: number };
  decided?: Origin;
  /** The last either-way condition before the jump, when it is not what decided the failure. */
  fork?: Origin;
  /** Where the path learned that the acquire call succeeded (its status tested), when it did. */
  success?: Origin;
  /** Loops the path went round again between the acquisition and the jump, oldest first. */
  loops: { file: string; p: Pos; at: number }[];
  exit: { file: string; p: Pos };
}

export interface Kept {
  site: AcquireSite;
  names: string[];
  /** The return through which initialize succeeds with it mapped. */
  exit?: { file: string; p: Pos };
}

/** Failing for sure on this path: nonzero, with where that was decided. */
function definitelyNonzero(v: Val, s: State): Origin | undefined {
  if (v.k === 'NZ') return v.o ?? { at: s.step, file: '', p: [0, 0, 0, 0], how: 'constant', text: '' };
  if (v.k === 'sym') {
    const c = s.cons.get(v.id);
    if (c && !c.z) return c.o;
  }
  return undefined;
}

/** No loop gone round again: one shared list (a failing exit may leak thousands of mappings). */
const NO_LOOPS: Leak['loops'] = Object.freeze([]) as unknown as Leak['loops'];

/** Loop iterations on a path between two steps, oldest first. */
function loopsBetween(events: Event | null, from: number, to: number): Leak['loops'] {
  let out: Leak['loops'] | undefined;
  for (let e = events; e && e.step >= from; e = e.prev)
    if (e.kind === 'loop' && e.step <= to) (out ??= []).unshift({ file: e.file, p: e.p, at: e.step });
  return out ?? NO_LOOPS;
}

/**
 * The first `goto` or `return` at or after a step, in initialize or in a
 * function that was on the call stack when the mapping was made (the helper
 * that made it, p12). A `break` or `continue` only moves inside the function
 * (out of a `do { } while (FALSE)`, a loop or a `switch`): the path is left
 * by the jump that follows it. A helper called after the mapping never holds
 * the report: its caller's jump is where the path leaves with the mapping.
 */
function firstJumpFrom(events: Event | null, step: number, frames: readonly string[]): Event | undefined {
  let best: Event | undefined;
  for (let e = events; e && e.step >= step; e = e.prev)
    if ((e.kind === 'goto' || e.kind === 'return') && (e.depth === 0 || frames.includes(e.frame))) best = e;
  return best;
}

/** A path initialize leaves through with a mapping that a call through a pointer may have released. */
export interface Withheld {
  site: AcquireSite;
  jump: { file: string; p: Pos };
}

/**
 * The leaks and kept mappings of initialize's exits, and the jumps some not-failing path takes. The
 * exits are consumed: each state is let go once read, so that a walk's thousands of exit states and
 * the leaks read off them are not all held at once.
 */
export function readInitExits(
  init: FnDef,
  exits: (Exit | undefined)[],
): { leaks: Leak[]; kept: Kept[]; withheld: Withheld[]; notOnlyFailing: Set<string> } {
  const leaks: Leak[] = [];
  const kept: Kept[] = [];
  const withheld: Withheld[] = [];
  const notOnlyFailing = new Set<string>();
  for (let i = 0; i < exits.length; i++) {
    const { state, ret, retP } = defined(exits[i], 'an exit not read yet');
    exits[i] = undefined;
    const failing = definitelyNonzero(ret, state);
    // The jump and the exit of the leaks at one jump of this exit: one pair of objects for all of them.
    const atJump = new Map<Event, Pick<Leak, 'jump' | 'exit'>>();
    if (!failing)
      for (let ev = state.events; ev; ev = ev.prev)
        if (ev.kind === 'goto' || ev.kind === 'return')
          notOnlyFailing.add(`${ev.file}:${String(ev.p[0])}:${String(ev.p[1])}`);
    // Names of each group, in the order the state holds them (one pass, not one per group).
    const namesOf = new Map<string, string[]>();
    for (const [k, id] of state.res) {
      const list = namesOf.get(id);
      if (list) list.push(k);
      else namesOf.set(id, [k]);
    }
    for (const [gid, g] of state.groups) {
      const names = namesOf.get(gid) ?? [];
      if (failing) {
        if (!definitelyHeld(g, state)) continue;
        // The first jump from which initialize can only fail: after the last either-way
        // branch the path is forced, and after the failure value is set it is decided.
        // A branch on a call's result was decided when the call returned (a failure returned
        // before the acquisition is already decided at the mapping helper's own return).
        const lastFork = state.lastFork ? decidedAt(state.lastFork) : -1;
        const forced = lastFork >= g.acqStep ? lastFork : Infinity;
        const decidedStep = Math.max(Math.min(decidedAt(failing), forced), g.acqStep);
        const jump = firstJumpFrom(state.events, decidedStep, g.frames);
        if (!jump) continue;
        if (g.behindPointer) {
          if (!withheld.some((w) => w.jump.p[0] === jump.p[0] && w.jump.file === jump.file))
            withheld.push({ site: g.site, jump: { file: jump.file, p: jump.p } });
          continue;
        }
        const success = g.sym ? state.cons.get(g.sym) : undefined;
        let where = atJump.get(jump);
        if (!where)
          atJump.set(
            jump,
            (where = {
              jump: { file: jump.file, fn: jump.fn, p: jump.p, kind: jump.kind, step: jump.step },
              exit: { file: init.file, p: retP ?? jump.p },
            }),
          );
        leaks.push({
          site: g.site,
          names,
          jump: where.jump,
          decided: failing,
          ...(success?.z ? { success: success.o } : {}),
          loops: loopsBetween(state.events, g.acqStep, jump.step),
          ...(state.lastFork &&
          state.lastFork.at >= g.acqStep &&
          state.lastFork.at <= jump.step &&
          state.lastFork.at !== failing.at &&
          // A failure a call returned before the acquisition needs no branch after it to explain it.
          decidedAt(failing) >= g.acqStep
            ? { fork: state.lastFork }
            : {}),
          exit: where.exit,
        });
      } else if (possiblyHeld(g, state, ret)) {
        kept.push(retP ? { site: g.site, names, exit: { file: init.file, p: retP } } : { site: g.site, names });
      }
    }
  }
  return { leaks, kept, withheld, notOnlyFailing };
}
