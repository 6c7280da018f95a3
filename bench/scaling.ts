/**
 * How the path analysis's cost grows with the code (issue 10): initialize
 * functions generated with more and more failure checks, independent
 * branches and helper chains, each scanned in this process (no cache, no
 * worker; the median of five runs, each after a collection when Node runs
 * with `--expose-gc`, as `npm run bench:scaling` does: without it a helper
 * chain's figure moved by half between runs, the garbage of one run billed
 * to the next). Printed per size:
 * the time, the time per unit (check, branch, helper) and whether the scan
 * said what it must (its findings, and no `budget` notice); then, per
 * family, the time per unit at the largest size over that at the middle
 * one, against the goal of 1.5 (the cost stays linear).
 *
 * Run: npm run bench:scaling   (builds, then node dist/bench/scaling.js)
 * Options: --only NAME[,NAME] · --runs N (default 5)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { callChain, independentBranches, judge, statusChecks, type HostileInput } from './hostile.js';

interface Family {
  name: string;
  unit: string;
  sizes: number[];
  make: (n: number) => HostileInput;
}

/** The issue's ranges; the middle size is the one the largest is compared with. */
export const FAMILIES: Family[] = [
  { name: 'failure-checks', unit: 'check', sizes: [100, 250, 500, 1000, 2000, 4000], make: statusChecks },
  { name: 'independent-branches', unit: 'branch', sizes: [10, 25, 50, 100, 200, 400], make: independentBranches },
  { name: 'helper-chain', unit: 'helper', sizes: [50, 125, 250, 500, 1000, 2000], make: chainWithBudget },
];

/** The helper chain of the hostile set, which must also finish without a `budget` notice. */
function chainWithBudget(n: number): HostileInput {
  const h = callChain(n);
  return { ...h, forbidden: [...h.forbidden, 'budget'] };
}

/** Files of an input, in memory (the scan reads nothing from disk). */
export function filesOf(h: HostileInput): SourceFile[] {
  return h.files.flatMap((f) => (f.text === undefined ? [] : [{ path: f.path, bytes: Buffer.from(f.text, 'latin1') }]));
}

/** The middle size of a family: the one half the largest (or the nearest below it). */
export function middleOf(sizes: number[]): number {
  const largest = sizes[sizes.length - 1];
  return sizes.filter((s) => s <= largest / 2).pop() ?? sizes[0];
}

/** A full collection where Node exposes one (`--expose-gc`), so a run is not billed for the last one's garbage. */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The median time of `runs` cold scans of an input, and what the first one got wrong. */
async function timeScan(h: HostileInput, runs: number): Promise<{ ms: number; problems: string[] }> {
  const files = filesOf(h);
  const times: number[] = [];
  let problems: string[] = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const t0 = performance.now();
    const r = await scan({ root: 'scaling', files, cache: null, workers: 0 });
    times.push(performance.now() - t0);
    if (i === 0) problems = judge(r, h);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], problems };
}

async function main(argv: string[]): Promise<number> {
  let only: string[] | undefined;
  let runs = 5;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = (argv[++i] ?? '').split(',');
    else if (argv[i] === '--runs') runs = Math.max(1, Number(argv[++i]));
    else {
      process.stderr.write(`scaling: unknown option ${argv[i]}\n`);
      return 2;
    }
  }
  let misses = 0;
  process.stdout.write('Path analysis scaling: time per unit at the largest size / at the middle size, goal <= 1.5\n');
  process.stdout.write(
    `median of ${String(runs)} runs per size, ${
      (globalThis as { gc?: unknown }).gc
        ? 'a collection before each'
        : 'no collection between them (run node with --expose-gc)'
    }\n\n`,
  );
  for (const fam of FAMILIES.filter((f) => !only || only.includes(f.name))) {
    // Warm-up: the first scan of a process also compiles the engine.
    await timeScan(fam.make(fam.sizes[0]), 1);
    const perUnit = new Map<number, number>();
    process.stdout.write(`${fam.name} (per ${fam.unit})\n`);
    for (const n of fam.sizes) {
      const { ms, problems } = await timeScan(fam.make(n), runs);
      perUnit.set(n, ms / n);
      if (problems.length) misses++;
      process.stdout.write(
        `  ${String(n).padStart(6)}  ${ms.toFixed(0).padStart(7)} ms  ${(ms / n).toFixed(3).padStart(8)} ms/${fam.unit}  ${problems.length ? `WRONG: ${problems[0]}` : 'findings as expected, no budget notice'}\n`,
      );
    }
    const mid = middleOf(fam.sizes);
    const largest = fam.sizes[fam.sizes.length - 1];
    const ratio = (perUnit.get(largest) ?? 0) / (perUnit.get(mid) ?? 1);
    const pass = ratio <= 1.5;
    if (!pass) misses++;
    process.stdout.write(
      `  per ${fam.unit} at ${String(largest)} / at ${String(mid)}: ${ratio.toFixed(2)}  (goal <= 1.5)  ${pass ? 'PASS' : 'MISS'}\n\n`,
    );
  }
  process.stdout.write(misses ? `${String(misses)} goal(s) missed\n` : 'every family met its goals\n');
  return misses ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2));
