/**
 * The rules stage of chosen drivers, measured in one process: per driver the
 * median `ms.rules` of several cold scans (no cache, no worker) after one
 * warm-up, so the compiler is warm and a process's start-up is not in the
 * figure. With `--against DIR` (another checkout, built), that checkout's
 * engine is measured too, alternating with this one, so two builds are
 * compared in the same minutes of a machine whose speed drifts: a change to
 * the path analysis is judged by its time, not only by its steps.
 *
 * Run: npm run bench:rules -- --corpus DIR [DRIVER...]   (builds, then node dist/bench/rules-stage.js)
 * Options: --whole-pack (the preview rules on too) · --rounds N (scans per
 * median, default 7) · --alternations N (default 3) · --against DIR
 * Prints one line per build and alternation (the sum of the medians and of the path walks' steps,
 * then each driver's median), then the ratio of the sums per alternation (this build over the other).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRulePack } from '../src/engine/rulepack.js';
import type { ScanOptions } from '../src/engine/scan.js';
import type { ScanResult } from '../src/engine/types.js';
import { numberOption } from './options.js';
import { median } from './stats.js';

type ScanFn = (opts: ScanOptions) => Promise<ScanResult>;

interface Build {
  label: string;
  scan: ScanFn;
}

function valueOf(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

// The median its figures are made of, exported here too for its test.
export { median };

/**
 * The median rules-stage time of `rounds` scans of one driver, after one unmeasured scan, and the
 * steps its path walks took (`walkSteps`; undefined from an engine older than that figure).
 */
export async function rulesMedian(
  scan: ScanFn,
  root: string,
  enable: string[],
  rounds: number,
): Promise<{ ms: number; steps: number | undefined }> {
  const first = await scan({ root, cache: null, workers: 0, enable });
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) ms.push((await scan({ root, cache: null, workers: 0, enable })).stats.ms.rules);
  return { ms: median(ms), steps: first.stats.walkSteps };
}

async function engineAt(dir: string): Promise<ScanFn> {
  const file = join(resolve(dir), 'dist', 'src', 'engine', 'scan.js');
  if (!statSync(file, { throwIfNoEntry: false })?.isFile())
    throw new Error(`${dir} has no built engine (${file}): run npm run build:all there`);
  const mod = (await import(pathToFileURL(file).href)) as { scan: ScanFn };
  return mod.scan;
}

async function main(argv: readonly string[]): Promise<number> {
  const corpus = valueOf(argv, '--corpus');
  if (!corpus) {
    process.stderr.write(
      'usage: node dist/bench/rules-stage.js --corpus DIR [DRIVER...] [--whole-pack] [--against DIR]\n',
    );
    return 2;
  }
  const flagsWithValues = new Set(['--corpus', '--rounds', '--alternations', '--against']);
  const named = argv.filter((a, i) => !a.startsWith('--') && !flagsWithValues.has(argv[i - 1] ?? ''));
  const drivers = named.length ? named : readdirSync(corpus).filter((d) => statSync(join(corpus, d)).isDirectory());
  const missing = drivers.filter((d) => !statSync(join(corpus, d), { throwIfNoEntry: false })?.isDirectory());
  if (missing.length) {
    process.stderr.write(`no such driver folder in ${corpus}: ${missing.join(', ')}\n`);
    return 2;
  }
  const rounds = numberOption('rounds', 7, argv);
  const alternations = numberOption('alternations', 3, argv);
  const enable = argv.includes('--whole-pack')
    ? loadRulePack()
        .rules.filter((r) => r.preview === true)
        .map((r) => r.id)
    : [];
  const builds: Build[] = [{ label: 'this build', scan: await engineAt(join(import.meta.dirname, '..', '..')) }];
  const against = valueOf(argv, '--against');
  if (against) builds.push({ label: against, scan: await engineAt(against) });
  process.stdout.write(
    `rules stage, median of ${String(rounds)} scans per driver, ${enable.length ? 'the whole pack' : 'rules on by default'}, ${String(drivers.length)} driver(s)\n`,
  );
  const ratios: string[] = [];
  for (let a = 0; a < alternations; a++) {
    const sums: number[] = [];
    for (const b of builds) {
      const each: string[] = [];
      let sum = 0;
      let steps: number | undefined = 0;
      for (const d of drivers) {
        const m = await rulesMedian(b.scan, join(corpus, d), enable, rounds);
        sum += m.ms;
        steps = steps === undefined || m.steps === undefined ? undefined : steps + m.steps;
        each.push(`${d}=${String(Math.round(m.ms))}`);
      }
      sums.push(sum);
      const stepText = steps === undefined ? 'steps not counted by this engine' : `${String(steps)} steps`;
      process.stdout.write(
        `${String(a + 1)}  ${b.label}: ${String(Math.round(sum))} ms, ${stepText}  ${each.join(' ')}\n`,
      );
    }
    if (sums.length === 2) ratios.push((sums[0] / sums[1]).toFixed(3));
  }
  if (ratios.length) process.stdout.write(`this build / ${String(against)}: ${ratios.join(', ')}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`rules-stage: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  });
