/**
 * Digests of a function definition's tokens, by its fact (`movedanalysis.ts` keys analyses by them).
 * A fact moved from a file's earlier version (`movedfacts.ts`) stands for the same tokens as the
 * fact it was moved from, so it takes that one's digest instead of lexing its range again.
 */
import type { FunctionFact } from './ast.js';

const digests = new WeakMap<FunctionFact, string | null>();

/** The digest of `fact`'s tokens, made by `make` once (null: they cannot be read). */
export function tokenDigestOf(fact: FunctionFact, make: () => string | null): string | null {
  const hit = digests.get(fact);
  if (hit !== undefined) return hit;
  const made = make();
  digests.set(fact, made);
  return made;
}

/** `moved` has the tokens of `from` (an edit moved them): the same digest, if one was made. */
export function sameTokenDigest(from: FunctionFact, moved: FunctionFact): void {
  const d = digests.get(from);
  if (d !== undefined) digests.set(moved, d);
}
