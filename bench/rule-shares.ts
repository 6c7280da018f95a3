/**
 * Where the rules stage of the real-code bench goes: each rule's own time (`--stats` ruleMs, the
 * bodies it was first to read left out, as the stage's figure leaves them) as a share of the rules'
 * summed time, so a missed rules-share goal names the rules behind it.
 */
import { median, sum } from './stats.js';

/**
 * `rounds[r]`: per rule, its time summed over round r's drivers. Each rule's median over the rounds
 * against the median of the rounds' sums, largest first (ties by id); none when nothing was timed.
 */
export function ruleShares(rounds: readonly ReadonlyMap<string, number>[]): [string, number][] {
  if (rounds.length === 0) return [];
  const total = median(rounds.map((r) => sum([...r.values()])));
  if (!(total > 0)) return [];
  const ids = new Set(rounds.flatMap((r) => [...r.keys()]));
  return [...ids]
    .map((id): [string, number] => [id, median(rounds.map((r) => r.get(id) ?? 0)) / total])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
