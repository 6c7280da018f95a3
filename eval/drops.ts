/**
 * `--compare`: every figure that got worse against an earlier results file,
 * per driver and in total. A figure missing on either side (no mutation run,
 * nothing to divide) is not compared; a driver present on one side only is
 * named in a note, and totals are compared only over the same drivers.
 */

import { type DriverResult, type MutationFigures, type Results, type Totals, hasError } from './results.js';

export interface Drop {
  /** `total` or a driver id. */
  scope: string;
  figure: string;
  before: number;
  after: number;
}

export interface Comparison {
  drops: Drop[];
  notes: string[];
}

type Better = 'higher' | 'lower';
interface Figure<T> {
  name: string;
  better: Better;
  get: (x: T) => number | null | undefined;
}

const DRIVER_FIGURES: Figure<DriverResult>[] = [
  { name: 'precision', better: 'higher', get: (d) => d.precision },
  { name: 'recall', better: 'higher', get: (d) => d.recall },
  { name: 'false positives', better: 'lower', get: (d) => d.counts.falsePositives },
  { name: 'false negatives', better: 'lower', get: (d) => d.counts.falseNegatives },
  { name: 'errors', better: 'lower', get: (d) => (hasError(d) ? 1 : 0) },
  { name: 'damaged files', better: 'lower', get: (d) => d.health.damagedFiles },
  { name: 'damaged files share', better: 'lower', get: (d) => d.health.damagedFilesShare },
  { name: 'damaged functions', better: 'lower', get: (d) => d.health.damagedFunctions },
  { name: 'damaged functions share', better: 'lower', get: (d) => d.health.damagedFunctionsShare },
  { name: 'notices that withheld a decision', better: 'lower', get: (d) => d.withheld.length },
  {
    name: 'API count mismatches',
    better: 'lower',
    get: (d) => Object.values(d.apiCalls).filter((a) => a.mismatch).length,
  },
  { name: 'mutation score', better: 'higher', get: (d) => d.mutation?.score },
  { name: 'lock callbacks not followed', better: 'lower', get: (d) => d.lockWalks?.notFollowed },
];

const TOTAL_FIGURES: Figure<Totals>[] = [
  { name: 'precision', better: 'higher', get: (t) => t.precision },
  { name: 'recall', better: 'higher', get: (t) => t.recall },
  { name: 'false positives', better: 'lower', get: (t) => t.falsePositives },
  { name: 'false negatives', better: 'lower', get: (t) => t.falseNegatives },
  { name: 'drivers with errors', better: 'lower', get: (t) => t.driversWithErrors },
  { name: 'damaged files', better: 'lower', get: (t) => t.damagedFiles },
  { name: 'damaged files share', better: 'lower', get: (t) => t.damagedFilesShare },
  { name: 'damaged functions', better: 'lower', get: (t) => t.damagedFunctions },
  { name: 'damaged functions share', better: 'lower', get: (t) => t.damagedFunctionsShare },
  { name: 'notices that withheld a decision', better: 'lower', get: (t) => t.withheld },
  { name: 'API count mismatches', better: 'lower', get: (t) => t.apiMismatches },
  { name: 'lock callbacks not followed', better: 'lower', get: (t) => t.lockWalks?.notFollowed },
  { name: 'mutation score', better: 'higher', get: (t) => (t.mutation.mutants > 0 ? t.mutation.score : null) },
];

function worse(better: Better, before: number, after: number): boolean {
  // Shares are compared to a millionth so that float noise is not a drop.
  const eps = 1e-9;
  return better === 'higher' ? after < before - eps : after > before + eps;
}

function compareFigures<T>(scope: string, figures: Figure<T>[], before: T, after: T, drops: Drop[]): void {
  for (const f of figures) {
    const b = f.get(before);
    const a = f.get(after);
    if (b === null || b === undefined || a === null || a === undefined) continue;
    if (worse(f.better, b, a)) drops.push({ scope, figure: f.name, before: b, after: a });
  }
}

/** Operator scores, where both runs had mutants of that operator. */
function compareOperators(
  scope: string,
  before: MutationFigures | Totals['mutation'],
  after: typeof before,
  drops: Drop[],
): void {
  for (const [op, b] of Object.entries(before.byOperator)) {
    const a = after.byOperator[op] as typeof b | undefined;
    if (a === undefined || b.score === null || a.score === null) continue;
    if (worse('higher', b.score, a.score))
      drops.push({ scope, figure: `mutation score ${op}`, before: b.score, after: a.score });
  }
}

/**
 * Per rule, in total: precision and recall (higher), false positives and
 * negatives (lower), the mutation score of the rule's mutants (higher). A rule
 * in one run only (an older results file, before the pack was compared) is
 * not compared.
 */
function compareRules(before: Totals, after: Totals, drops: Drop[]): void {
  // Older results files have no per-rule figures.
  const earlier = (before.byRule as Totals['byRule'] | undefined) ?? {};
  for (const [rule, b] of Object.entries(earlier)) {
    const a = after.byRule[rule] as (typeof after.byRule)[string] | undefined;
    if (a === undefined) continue;
    const figures: Figure<typeof a>[] = [
      { name: `${rule} precision`, better: 'higher', get: (x) => x.precision },
      { name: `${rule} recall`, better: 'higher', get: (x) => x.recall },
      { name: `${rule} false positives`, better: 'lower', get: (x) => x.falsePositives },
      { name: `${rule} false negatives`, better: 'lower', get: (x) => x.falseNegatives },
    ];
    compareFigures('total', figures, b, a, drops);
  }
  const mutationBefore = (before.mutation.byRule as Totals['mutation']['byRule'] | undefined) ?? {};
  for (const [rule, b] of Object.entries(mutationBefore)) {
    const a = after.mutation.byRule[rule] as (typeof after.mutation.byRule)[string] | undefined;
    if (a === undefined || b.score === null || a.score === null) continue;
    if (worse('higher', b.score, a.score))
      drops.push({ scope: 'total', figure: `mutation score ${rule}`, before: b.score, after: a.score });
  }
}

export function compareResults(before: Results, after: Results): Comparison {
  const drops: Drop[] = [];
  const notes: string[] = [];
  const earlier = new Map(before.drivers.map((d) => [d.id, d]));
  const later = new Map(after.drivers.map((d) => [d.id, d]));
  for (const [id, b] of earlier) {
    const a = later.get(id);
    if (!a) {
      notes.push(`${id}: in the earlier results only, not compared`);
      continue;
    }
    compareFigures(id, DRIVER_FIGURES, b, a, drops);
    if (b.mutation && a.mutation) compareOperators(id, b.mutation, a.mutation, drops);
  }
  for (const id of later.keys()) if (!earlier.has(id)) notes.push(`${id}: new, not compared`);
  const sameDrivers = earlier.size === later.size && [...earlier.keys()].every((id) => later.has(id));
  if (sameDrivers) {
    compareFigures('total', TOTAL_FIGURES, before.totals, after.totals, drops);
    compareOperators('total', before.totals.mutation, after.totals.mutation, drops);
    compareRules(before.totals, after.totals, drops);
  } else {
    notes.push('totals not compared: the two runs cover different drivers');
  }
  return { drops, notes };
}

function show(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(4);
}

export function formatComparison(c: Comparison, earlierFile: string): string {
  const lines = c.notes.map((n) => `note: ${n}`);
  for (const d of c.drops) lines.push(`DROP ${d.scope}: ${d.figure} ${show(d.before)} -> ${show(d.after)}`);
  lines.push(
    c.drops.length === 0
      ? `no figure dropped against ${earlierFile}`
      : `${String(c.drops.length)} figure(s) dropped against ${earlierFile}`,
  );
  return lines.join('\n') + '\n';
}
