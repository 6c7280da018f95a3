/**
 * Cold scans of every driver folder of a corpus by two builds in the same minutes: this checkout's
 * CLI and another built checkout's (`--against DIR`), one fresh process per driver and build
 * (`scan --no-cache --stats`), the two builds alternating driver by driver so that a drift of the
 * machine's speed falls on both alike. Prints, per round and build, the sum of the processes' wall
 * times and of each stage of `--stats`, then this build's sums over the other's.
 *
 * Run: npm run build:all && node dist/bench/cold-against.js --corpus DIR --against OTHER_CHECKOUT [--rounds 2] [--whole-pack]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption } from './options.js';

type Sums = Record<string, number>;

function valueOf(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** One cold scan of `dir` by the CLI under `root`: its wall time and its `--stats` stages (ms). */
function coldScan(root: string, dir: string, wholePack: boolean): Sums {
  const args = [join(root, 'bin', 'ndis-review.js'), 'scan', dir, '--no-cache', '--stats', '--fail-on', 'never'];
  if (wholePack) args.push('--config', join(root, 'eval', 'ndis-review.yml'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = performance.now() - t0;
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  let stats: { ms?: Sums };
  try {
    stats = JSON.parse(last) as { ms?: Sums };
  } catch {
    throw new Error(`no --stats line from ${root} on ${dir} (exit ${String(r.status)}): ${r.stderr.slice(0, 300)}`);
  }
  return { wall, ...(stats.ms ?? {}) };
}

function add(into: Sums, from: Sums): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function show(s: Sums): string {
  return Object.entries(s)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');
}

function main(): void {
  const corpus = valueOf('--corpus');
  const against = valueOf('--against');
  if (!corpus || !against) throw new Error('usage: cold-against --corpus DIR --against OTHER_CHECKOUT [--rounds N]');
  const rounds = numberOption('rounds', 2);
  const wholePack = process.argv.includes('--whole-pack');
  const here = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const other = resolve(against);
  const drivers = readdirSync(corpus)
    .sort()
    .map((n) => join(corpus, n))
    .filter((p) => statSync(p).isDirectory());
  for (let r = 0; r < rounds; r++) {
    const sums: [Sums, Sums] = [{}, {}];
    drivers.forEach((dir, i) => {
      // Which build goes first alternates too.
      const order: [number, string][] =
        i % 2
          ? [
              [1, other],
              [0, here],
            ]
          : [
              [0, here],
              [1, other],
            ];
      for (const [k, root] of order) add(sums[k], coldScan(root, dir, wholePack));
    });
    process.stdout.write(`round ${String(r + 1)}, this build: ${show(sums[0])}\n`);
    process.stdout.write(`round ${String(r + 1)}, ${other}: ${show(sums[1])}\n`);
    const ratio = (k: string) => ((sums[0][k] ?? 0) / (sums[1][k] || 1)).toFixed(3);
    process.stdout.write(
      `round ${String(r + 1)}, this / other: wall ${ratio('wall')}, parse ${ratio('parse')}, rules ${ratio('rules')}, total ${ratio('total')}\n`,
    );
  }
}

try {
  main();
} catch (e: unknown) {
  process.stderr.write(`cold-against: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
