/**
 * Stops analyses of one driver at random moments, as the app's time limit does, and counts how they
 * ended. Before the pool asked a scan to stop at a safe point (src/engine/stop.ts), ending a thread
 * while tree-sitter called back into it aborted this whole process (std::terminate): a run that
 * prints its line came through. Each scan gets a fresh one-thread pool and a time limit drawn from
 * [--min-ms, --max-ms] (seeded, so two builds see the same limits).
 *
 * Run: npm run build:all && node dist/bench/stop-at-random.js --driver DIR [--scans 40] [--min-ms 100] [--max-ms 2600] [--seed 1]
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { AnalysisLimitExceeded, AnalysisPool } from '../src/app/pool.js';
import { listSources } from '../src/engine/sources.js';
import { numberOption } from './options.js';
import { mulberry32 } from './rng.js';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--driver');
  const dir = at >= 0 ? process.argv[at + 1] : undefined;
  if (!dir) throw new Error('usage: stop-at-random --driver DIR [--scans N] [--min-ms N] [--max-ms N] [--seed N]');
  const scans = numberOption('scans', 40);
  const minMs = numberOption('min-ms', 100);
  const maxMs = numberOption('max-ms', 2600);
  const rand = mulberry32(numberOption('seed', 1));
  const files = (await listSources(dir)).paths.map((p) => ({
    path: relative(dir, p).split(sep).join('/'),
    bytes: readFileSync(p),
  }));
  let stopped = 0;
  let finished = 0;
  for (let i = 0; i < scans; i++) {
    const limit = minMs + Math.floor(rand() * (maxMs - minMs));
    const pool = new AnalysisPool({ threads: 1, timeLimitMs: limit, factCacheBytes: 1 });
    try {
      await pool.scan({ root: `scan-${String(i)}`, files }, pool.clock());
      finished++;
    } catch (e) {
      if (!(e instanceof AnalysisLimitExceeded)) throw e;
      stopped++;
    } finally {
      await pool.close();
    }
  }
  process.stdout.write(
    `${String(scans)} scans of ${dir}: ${String(stopped)} stopped at their limit, ${String(finished)} finished; no abort\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`stop-at-random: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
