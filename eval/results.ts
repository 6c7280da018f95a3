/**
 * The evaluation's figures as data: what `--json` writes and `--compare`
 * reads back. Totals are computed from the drivers, never counted apart, so
 * the two cannot disagree.
 */

import type { ExpectedFinding } from './labels.js';
import type { CorpusDriver } from './manifest.js';
import type { Exclusion } from './mutant.js';
import type { MutantResult } from './mutation-run.js';
import type { ScanNotice } from './scanner.js';
import { type Reported, type RuleCounts, addRuleCounts, precision, ratio, recall } from './score.js';

export interface ApiFigures {
  direct: number;
  viaMacro: number;
  /** Raw identifier tokens in the files the engine reads. */
  raw: number;
  /** Raw identifier tokens in C++ files, which the engine does not read. */
  rawInCpp: number;
  /** The engine's direct call sites differ from the raw tokens of all the driver's files. */
  mismatch: boolean;
}

export interface HealthFigures {
  parsedFiles: number;
  damagedFiles: number;
  damagedFilesShare: number | null;
  functions: number;
  damagedFunctions: number;
  damagedFunctionsShare: number | null;
  damagedFunctionList: { name: string; path: string; line: number }[];
}

export interface OperatorFigures {
  mutants: number;
  killed: number;
  score: number | null;
  excluded: number;
  sampledOut: number;
}

/** Mutants of a rule: those whose expected findings include one of it. */
export interface RuleMutation {
  mutants: number;
  killed: number;
  score: number | null;
}

/** One rule's counts with its precision and recall. */
export interface RuleFigures extends RuleCounts {
  precision: number | null;
  recall: number | null;
}

export interface MutationFigures {
  mutants: number;
  killed: number;
  score: number | null;
  wallMs: number;
  byOperator: Record<string, OperatorFigures>;
  byRule: Record<string, RuleMutation>;
  /** Exclusions counted by operator and the generator's rule. */
  excludedByRule: Record<string, Record<string, number>>;
  exclusions: Exclusion[];
  survivors: MutantResult[];
  results: MutantResult[];
  /** The generator failed on this driver (a bug of the evaluation, not a figure of the tool). */
  error?: string;
}

export interface DriverResult {
  id: string;
  folder: string;
  repo: string;
  commit: string;
  error?: string;
  /** Wall time of the CLI on the unmutated driver, start-up included. */
  wallMs: number;
  complete: boolean;
  counts: {
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
    debatableReported: number;
    debatableSilent: number;
  };
  precision: number | null;
  recall: number | null;
  truePositives: Reported[];
  falsePositives: Reported[];
  falseNegatives: ExpectedFinding[];
  debatableReported: Reported[];
  debatableSilent: ExpectedFinding[];
  /** False positives the label lists as judged false. */
  knownFalse: Reported[];
  /** The counts per compared rule. */
  byRule: Record<string, RuleCounts>;
  health: HealthFigures;
  /** The lock rule's callback walks, and those with a path or a lock it did not follow. */
  lockWalks?: { callbacks: number; notFollowed: number };
  /** Notices that withheld a decision. */
  withheld: ScanNotice[];
  apiCalls: Record<string, ApiFigures>;
  mutation?: MutationFigures;
}

export interface Totals {
  drivers: number;
  driversWithErrors: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  debatableReported: number;
  debatableSilent: number;
  precision: number | null;
  recall: number | null;
  knownFalse: number;
  byRule: Record<string, RuleFigures>;
  parsedFiles: number;
  damagedFiles: number;
  damagedFilesShare: number | null;
  functions: number;
  damagedFunctions: number;
  damagedFunctionsShare: number | null;
  withheld: number;
  apiMismatches: number;
  /** Summed over the drivers whose scan counted them; absent where none did (results written before stop 37). */
  lockWalks?: { callbacks: number; notFollowed: number };
  wallMs: number;
  mutation: {
    drivers: number;
    mutants: number;
    killed: number;
    score: number | null;
    byOperator: Record<string, OperatorFigures>;
    byRule: Record<string, RuleMutation>;
    excludedByRule: Record<string, Record<string, number>>;
  };
}

export interface Results {
  format: 1;
  cli: string;
  /** The configuration every scan used (older results files have none). */
  config?: string;
  corpus: string;
  labels: string;
  rules: string[];
  seed: number;
  /** Mutants per operator and driver: a number (seeded sample) or "all". */
  mutants: number | 'all';
  drivers: DriverResult[];
  totals: Totals;
}

export function operatorFigures(
  results: readonly MutantResult[],
  excluded: number,
  sampledOut: number,
): OperatorFigures {
  const killed = results.filter((r) => r.killed).length;
  return { mutants: results.length, killed, score: ratio(killed, results.length), excluded, sampledOut };
}

/** Per rule: the mutants whose expected findings include that rule, and how many were killed. */
export function mutationByRule(results: readonly MutantResult[]): Record<string, RuleMutation> {
  const out: Record<string, RuleMutation> = {};
  for (const r of results) {
    for (const rule of new Set(r.expected.map((e) => e.rule))) {
      const t = (out[rule] ??= { mutants: 0, killed: 0, score: null });
      t.mutants++;
      if (r.killed) t.killed++;
      t.score = ratio(t.killed, t.mutants);
    }
  }
  return out;
}

function addRuleMutation(into: Record<string, RuleMutation>, from: Record<string, RuleMutation>): void {
  for (const [rule, f] of Object.entries(from)) {
    const t = (into[rule] ??= { mutants: 0, killed: 0, score: null });
    t.mutants += f.mutants;
    t.killed += f.killed;
    t.score = ratio(t.killed, t.mutants);
  }
}

/** Rule counts with precision and recall. */
export function ruleFigures(byRule: Record<string, RuleCounts>): Record<string, RuleFigures> {
  const out: Record<string, RuleFigures> = {};
  for (const [rule, c] of Object.entries(byRule)) {
    out[rule] = {
      ...c,
      precision: precision(c.truePositives, c.falsePositives),
      recall: recall(c.truePositives, c.falseNegatives),
    };
  }
  return out;
}

function addOperator(into: Record<string, OperatorFigures>, id: string, f: OperatorFigures): void {
  const t = (into[id] ??= { mutants: 0, killed: 0, score: null, excluded: 0, sampledOut: 0 });
  t.mutants += f.mutants;
  t.killed += f.killed;
  t.excluded += f.excluded;
  t.sampledOut += f.sampledOut;
  t.score = ratio(t.killed, t.mutants);
}

/** The CLI failed on the driver, or the generator on its text. */
export function hasError(d: DriverResult): boolean {
  return d.error !== undefined || d.mutation?.error !== undefined;
}

export function totalsOf(drivers: readonly DriverResult[]): Totals {
  const sum = (f: (d: DriverResult) => number): number => drivers.reduce((s, d) => s + f(d), 0);
  const tp = sum((d) => d.counts.truePositives);
  const fp = sum((d) => d.counts.falsePositives);
  const fn = sum((d) => d.counts.falseNegatives);
  const parsedFiles = sum((d) => d.health.parsedFiles);
  const damagedFiles = sum((d) => d.health.damagedFiles);
  const functions = sum((d) => d.health.functions);
  const damagedFunctions = sum((d) => d.health.damagedFunctions);
  const byOperator: Record<string, OperatorFigures> = {};
  const mutationRules: Record<string, RuleMutation> = {};
  const excludedByRule: Record<string, Record<string, number>> = {};
  const byRule: Record<string, RuleCounts> = {};
  for (const d of drivers) addRuleCounts(byRule, d.byRule);
  const mutations = drivers.flatMap((d) => (d.mutation !== undefined ? [d.mutation] : []));
  for (const m of mutations) {
    for (const [id, f] of Object.entries(m.byOperator)) addOperator(byOperator, id, f);
    addRuleMutation(mutationRules, m.byRule);
    for (const [op, rules] of Object.entries(m.excludedByRule)) {
      const into = (excludedByRule[op] ??= {});
      for (const [rule, n] of Object.entries(rules)) into[rule] = (into[rule] ?? 0) + n;
    }
  }
  const mutants = mutations.reduce((s, m) => s + m.mutants, 0);
  const killed = mutations.reduce((s, m) => s + m.killed, 0);
  return {
    drivers: drivers.length,
    driversWithErrors: drivers.filter(hasError).length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    debatableReported: sum((d) => d.counts.debatableReported),
    debatableSilent: sum((d) => d.counts.debatableSilent),
    precision: precision(tp, fp),
    recall: recall(tp, fn),
    knownFalse: sum((d) => d.knownFalse.length),
    byRule: ruleFigures(byRule),
    parsedFiles,
    damagedFiles,
    damagedFilesShare: ratio(damagedFiles, parsedFiles),
    functions,
    damagedFunctions,
    damagedFunctionsShare: ratio(damagedFunctions, functions),
    withheld: sum((d) => d.withheld.length),
    apiMismatches: sum((d) => Object.values(d.apiCalls).filter((a) => a.mismatch).length),
    ...(drivers.some((d) => d.lockWalks)
      ? {
          lockWalks: {
            callbacks: sum((d) => d.lockWalks?.callbacks ?? 0),
            notFollowed: sum((d) => d.lockWalks?.notFollowed ?? 0),
          },
        }
      : {}),
    wallMs: sum((d) => d.wallMs),
    mutation: {
      drivers: mutations.filter((m) => m.mutants > 0).length,
      mutants,
      killed,
      score: ratio(killed, mutants),
      byOperator,
      byRule: mutationRules,
      excludedByRule,
    },
  };
}

/** A driver's result before (or without) a scan: every count zero, nothing to divide. */
export function emptyResult(driver: CorpusDriver): DriverResult {
  return {
    id: driver.id,
    folder: driver.folder,
    repo: driver.repo,
    commit: driver.commit,
    wallMs: 0,
    complete: false,
    counts: { truePositives: 0, falsePositives: 0, falseNegatives: 0, debatableReported: 0, debatableSilent: 0 },
    precision: null,
    recall: null,
    truePositives: [],
    falsePositives: [],
    falseNegatives: [],
    debatableReported: [],
    debatableSilent: [],
    knownFalse: [],
    byRule: {},
    health: {
      parsedFiles: 0,
      damagedFiles: 0,
      damagedFilesShare: null,
      functions: 0,
      damagedFunctions: 0,
      damagedFunctionsShare: null,
      damagedFunctionList: [],
    },
    withheld: [],
    apiCalls: {},
  };
}
