/**
 * The generator's rules about halt shared by the operators that take a
 * release away from halt: which labelled halt a chain starts in, and whether
 * halt could still reach another release of the site (then the mutant's
 * expectation would be a guess, and it is excluded).
 */

import { type FunctionDef, bodyNames, reach } from '../cfuncs.js';
import type { Place, Site } from '../labels.js';
import { type OperatorContext, samePlace } from './context.js';
import { defined } from '../../src/util/defined.js';

/** The labelled halt callback whose body holds `place`. */
export function haltHolding(ctx: OperatorContext, place: Place): FunctionDef | undefined {
  const def = ctx.enclosing(place);
  if (!def) return undefined;
  return ctx.label.halt.some((h) => h.name === def.name && h.file === def.file) ? def : undefined;
}

/** Initialize calls halt (some drivers clean up a failed initialize that way): halt edits then change failure paths too. */
export function initializeCallsHalt(ctx: OperatorContext, halt: FunctionDef): boolean {
  const reached = reach(
    ctx.graph().calls,
    ctx.label.initialize.map((i) => i.name),
  );
  return reached.has(halt.name);
}

/** More than one initialize or halt: which pairs with which is the engine's call, not a label fact. */
export function severalCallbacks(ctx: OperatorContext): boolean {
  return ctx.label.initialize.length !== 1 || ctx.label.halt.length !== 1;
}

/**
 * A release of `site` other than those in `except` that halt may reach,
 * reading halt's body without the offsets [cutStart, cutEnd) (the removed
 * call), by the over-approximating mention graph. Returns the release, or
 * the first one whose enclosing function cannot be found.
 */
export function otherReleaseReachable(
  ctx: OperatorContext,
  halt: FunctionDef,
  site: Site,
  except: readonly Place[],
  cut?: { start: number; end: number },
): Place | undefined {
  const c = defined(ctx.c(halt.file));
  const names = new Set<string>();
  const pieces = cut
    ? [
        [halt.open, cut.start],
        [cut.end, halt.close],
      ]
    : [[halt.open, halt.close]];
  for (const [from, to] of pieces) for (const n of bodyNames(c, from, to).mentions) names.add(n);
  const reached = reach(ctx.graph().mentions, names);
  for (const release of site.releases) {
    if (except.some((e) => samePlace(e, release))) continue;
    const holder = ctx.enclosing(release);
    if (!holder) return release;
    if (holder.name === halt.name && holder.file === halt.file) {
      const span = defined(ctx.c(release.file)).lineStarts[release.line - 1];
      if (!cut || span < cut.start || span >= cut.end) return release;
      continue;
    }
    if (reached.has(holder.name)) return release;
  }
  return undefined;
}
