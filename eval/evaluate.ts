/**
 * One driver's evaluation: the CLI on the unmutated driver scored against
 * its label, parse health, notices, API call sites against raw tokens, and
 * (when asked) its mutants.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Label } from './labels.js';
import type { CorpusDriver } from './manifest.js';
import { generateMutants } from './mutate.js';
import { type MutantResult, runMutant } from './mutation-run.js';
import { textFromMap } from './operators/context.js';
import { mapPool } from './pool.js';
import {
  type ApiFigures,
  type DriverResult,
  type MutationFigures,
  emptyResult,
  mutationByRule,
  operatorFigures,
} from './results.js';
import { type RuleSet, apisFor } from './ruleset.js';
import { type ScanOptions, type ScanOutput, scanFolder } from './scanner.js';
import { type FindingKey, countsByRule, precision, ratio, recall, scoreFindings } from './score.js';
import { countDriverTokens, listDriverFiles } from './tokens.js';

export interface EvaluateOptions {
  corpus: string;
  rules: string[];
  ruleSet: RuleSet;
  scan: ScanOptions;
  /** Undefined: no mutation; 'all' or a per-operator limit. */
  mutants: number | 'all' | undefined;
  seed: number;
  /** Only these operators (undefined: all). */
  operators?: readonly string[];
  concurrency: number;
  /** Called as each mutant finishes (progress on a long run). */
  onMutant?: (driver: string, done: number, total: number) => void;
}

export function driverRoot(corpus: string, driver: CorpusDriver): string {
  return path.join(corpus, driver.id, driver.folder);
}

export async function evaluateDriver(
  driver: CorpusDriver,
  label: Label,
  options: EvaluateOptions,
): Promise<DriverResult> {
  const root = driverRoot(options.corpus, driver);
  const base: DriverResult = emptyResult(driver);
  let output: ScanOutput;
  try {
    output = await scanFolder(root, options.scan);
  } catch (error) {
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  }
  const reported = output.findings.map((f) => ({ rule: f.rule, file: f.path, line: f.line, message: f.message }));
  const score = scoreFindings(reported, label, options.rules);
  const h = output.health;
  const result: DriverResult = {
    ...base,
    wallMs: output.wallMs,
    complete: output.complete,
    counts: {
      truePositives: score.truePositives.length,
      falsePositives: score.falsePositives.length,
      falseNegatives: score.falseNegatives.length,
      debatableReported: score.debatableReported.length,
      debatableSilent: score.debatableSilent.length,
    },
    precision: precision(score.truePositives.length, score.falsePositives.length),
    recall: recall(score.truePositives.length, score.falseNegatives.length),
    ...score,
    byRule: countsByRule(score, label, options.rules),
    health: {
      parsedFiles: h.parsedFiles,
      damagedFiles: h.damagedFiles,
      damagedFilesShare: ratio(h.damagedFiles, h.parsedFiles),
      functions: h.functions,
      damagedFunctions: h.damagedFunctions.length,
      damagedFunctionsShare: ratio(h.damagedFunctions.length, h.functions),
      damagedFunctionList: h.damagedFunctions,
    },
    ...(output.lockWalks ? { lockWalks: output.lockWalks } : {}),
    withheld: output.notices.filter((n) => n.withheld),
    apiCalls: apiFigures(root, output, options.ruleSet),
  };
  if (options.mutants !== undefined) {
    const rules = new Set(options.rules);
    const baseFindings = reported
      .filter((f) => rules.has(f.rule))
      .map(({ rule, file, line }) => ({ rule, file, line }));
    result.mutation = await mutateDriver(root, label, baseFindings, options);
  }
  return result;
}

function apiFigures(root: string, output: ScanOutput, ruleSet: RuleSet): Record<string, ApiFigures> {
  const apis = apisFor(ruleSet, Object.keys(output.apiCalls));
  const raw = countDriverTokens(root, apis);
  const figures: Record<string, ApiFigures> = {};
  for (const api of apis) {
    const seen = output.apiCalls[api] ?? { direct: 0, viaMacro: 0 };
    const r = raw[api];
    figures[api] = {
      direct: seen.direct,
      viaMacro: seen.viaMacro,
      raw: r.engineFiles,
      rawInCpp: r.otherFiles,
      mismatch: seen.direct !== r.engineFiles + r.otherFiles,
    };
  }
  return figures;
}

async function mutateDriver(
  root: string,
  label: Label,
  base: FindingKey[],
  options: EvaluateOptions,
): Promise<MutationFigures> {
  const started = performance.now();
  const files = listDriverFiles(root);
  const texts = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'latin1')]));
  let generated;
  try {
    generated = generateMutants(label, textFromMap(texts), {
      limit: options.mutants === 'all' ? undefined : options.mutants,
      seed: options.seed,
      operators: options.operators,
    });
  } catch (error) {
    // A generator bug on one driver's text costs that driver's mutants, not the run.
    return {
      mutants: 0,
      killed: 0,
      score: null,
      wallMs: performance.now() - started,
      byOperator: {},
      byRule: {},
      excludedByRule: {},
      exclusions: [],
      survivors: [],
      results: [],
      error: `mutation generator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    };
  }
  let done = 0;
  const copy = { root, files, texts };
  const results: MutantResult[] = await mapPool(generated.mutants, options.concurrency, async (mutant) => {
    const r = await runMutant(copy, mutant, base, new Set(options.rules), options.scan);
    options.onMutant?.(label.driver, ++done, generated.mutants.length);
    return r;
  });
  const excludedByRule: Record<string, Record<string, number>> = {};
  for (const e of generated.excluded) {
    const rules = (excludedByRule[e.operator] ??= {});
    rules[e.rule] = (rules[e.rule] ?? 0) + 1;
  }
  const byOperator: MutationFigures['byOperator'] = {};
  for (const op of Object.keys(generated.sampledOut)) {
    byOperator[op] = operatorFigures(
      results.filter((r) => r.operator === op),
      generated.excluded.filter((e) => e.operator === op).length,
      generated.sampledOut[op],
    );
  }
  const killed = results.filter((r) => r.killed).length;
  return {
    mutants: results.length,
    killed,
    score: ratio(killed, results.length),
    wallMs: performance.now() - started,
    byOperator,
    byRule: mutationByRule(results),
    excludedByRule,
    exclusions: generated.excluded,
    survivors: results.filter((r) => !r.killed),
    results,
  };
}
