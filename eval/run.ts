/**
 * `npm run eval`: the drivers of the manifest that have a label, each
 * evaluated, printed as it finishes, then the totals; the figures written as
 * JSON; with `--compare`, every figure that dropped. Takes its outputs as
 * parameters and returns the exit code, so tests run it like a function.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgsError, USAGE, parseArgs } from './args.js';
import { compareResults, formatComparison } from './drops.js';
import { driverRoot, evaluateDriver } from './evaluate.js';
import { type Label, LabelError, readLabel } from './labels.js';
import { type CorpusDriver, readManifest } from './manifest.js';
import { OPERATORS } from './mutate.js';
import { formatDriver, formatTotals } from './print.js';
import { type DriverResult, type Results, emptyResult, totalsOf } from './results.js';
import { readRuleSet, rulesFor } from './ruleset.js';
import { defined } from '../src/util/defined.js';

export interface EvalIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

/** This file runs as dist/eval/run.js. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const EXIT_OK = 0;
const EXIT_DROPPED = 1;
const EXIT_TROUBLE = 2;

export async function runEval(argv: readonly string[], io: EvalIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    io.stderr(`eval: ${error.message}\n${USAGE}`);
    return EXIT_TROUBLE;
  }
  if (args.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const fromCwd = (p: string): string => path.resolve(io.cwd, p);
  const corpus = args.corpus !== undefined ? fromCwd(args.corpus) : path.resolve(repoRoot, '..', 'corpus');
  const labelsDir = args.labels !== undefined ? fromCwd(args.labels) : path.join(repoRoot, 'eval', 'labels');
  const manifestFile =
    args.manifest !== undefined ? fromCwd(args.manifest) : path.join(repoRoot, 'eval', 'corpus.json');
  const jsonFile = args.json !== undefined ? fromCwd(args.json) : path.join(repoRoot, 'eval', 'results.json');
  const cli = args.cli !== undefined ? fromCwd(args.cli) : path.join(repoRoot, 'bin', 'ndis-review.js');
  const config = args.config !== undefined ? fromCwd(args.config) : path.join(repoRoot, 'eval', 'ndis-review.yml');
  for (const [what, p] of [
    ['corpus', corpus],
    ['labels', labelsDir],
    ['manifest', manifestFile],
    ['cli', cli],
    ['config', config],
  ] as const) {
    if (!existsSync(p)) {
      io.stderr(
        `eval: ${what} ${p} does not exist${what === 'corpus' ? ' (see eval/README.md: materialize it first)' : ''}\n`,
      );
      return EXIT_TROUBLE;
    }
  }
  let earlier: Results | undefined;
  if (args.compare !== undefined) {
    try {
      earlier = JSON.parse(readFileSync(fromCwd(args.compare), 'utf8')) as Results;
    } catch (error) {
      io.stderr(
        `eval: cannot read --compare ${args.compare}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return EXIT_TROUBLE;
    }
  }

  const manifest = readManifest(manifestFile);
  const unknownOperators = (args.operators ?? []).filter((op) => !OPERATORS.some((o) => o.id === op));
  if (unknownOperators.length > 0) {
    io.stderr(`eval: --operators names no operator: ${unknownOperators.join(', ')}\n`);
    return EXIT_TROUBLE;
  }
  const unknown = (args.only ?? []).filter((id) => !manifest.some((d) => d.id === id));
  if (unknown.length > 0) {
    io.stderr(`eval: --only names drivers not in the manifest: ${unknown.join(', ')}\n`);
    return EXIT_TROUBLE;
  }
  const chosen = manifest.filter(
    (d) => (args.only === undefined || args.only.includes(d.id)) && existsSync(path.join(labelsDir, `${d.id}.json`)),
  );
  const labels = new Map<string, Label | string>();
  for (const d of chosen) labels.set(d.id, loadLabel(labelsDir, d));
  const ruleSet = readRuleSet(path.join(repoRoot, 'eval', 'rules.json'));
  const rules = rulesFor(
    ruleSet,
    [...labels.values()].filter((l): l is Label => typeof l !== 'string'),
  );
  io.stderr(`eval: ${String(chosen.length)} labelled drivers of ${String(manifest.length)} in the manifest\n`);

  const drivers: DriverResult[] = [];
  for (const driver of chosen) {
    const label = defined(labels.get(driver.id));
    let result: DriverResult;
    if (typeof label === 'string') result = failed(driver, label);
    else if (!existsSync(driverRoot(corpus, driver)))
      result = failed(driver, `${driverRoot(corpus, driver)} is missing: materialize the corpus`);
    else {
      result = await evaluateDriver(driver, label, {
        corpus,
        rules,
        ruleSet,
        scan: { cli, config },
        mutants: args.mutants === 0 ? undefined : args.mutants,
        seed: args.seed,
        operators: args.operators,
        concurrency: args.concurrency ?? availableParallelism(),
      });
    }
    drivers.push(result);
    io.stdout(formatDriver(result));
  }
  const results: Results = {
    format: 1,
    cli,
    config,
    corpus,
    labels: labelsDir,
    rules,
    seed: args.seed,
    mutants: args.mutants,
    drivers,
    totals: totalsOf(drivers),
  };
  io.stdout(formatTotals(results.totals));
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
  io.stderr(`eval: figures written to ${jsonFile}\n`);
  if (earlier) {
    const comparison = compareResults(earlier, results);
    io.stdout(formatComparison(comparison, defined(args.compare, 'args.compare')));
    if (comparison.drops.length > 0) return EXIT_DROPPED;
  }
  return EXIT_OK;
}

/** The label, or why it cannot be used (reported as that driver's error, the others still run). */
function loadLabel(dir: string, driver: CorpusDriver): Label | string {
  try {
    const label = readLabel(path.join(dir, `${driver.id}.json`), path.join(dir, 'pack', `${driver.id}.json`));
    return label.driver === driver.id ? label : `label names driver '${label.driver}', not '${driver.id}'`;
  } catch (error) {
    if (error instanceof LabelError) return error.message;
    throw error;
  }
}

function failed(driver: CorpusDriver, error: string): DriverResult {
  return { ...emptyResult(driver), error };
}
