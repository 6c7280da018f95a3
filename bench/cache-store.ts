/**
 * The CLI's disk cache when it also holds other large repositories (bench
 * corpora of other seeds, 2.8 MB of source each): a warm run of one
 * repository, nothing changed and one file changed, in a fresh process each.
 *
 * Two layouts, runs interleaved so machine load hits both alike:
 *   - one file: every corpus inside one git checkout, so they share one cache
 *     file, which is what the single global cache file did for every run;
 *   - per repository: each corpus a repository of its own, with its own file.
 * Also, in process: the time to load the cache and to save it, in each layout.
 *
 * Run: npm run build:all && node dist/bench/cache-store.js [--others N] [--runs N]
 * The corpora and the caches are written to a temporary folder and deleted after.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FactCache } from '../src/engine/cache.js';
import { EDITS, generateCorpus, writeCorpus } from './corpus.js';
import { numberOption } from './options.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = join(repoRoot, 'bin', 'ndis-review.js');

function runCli(dir: string, cacheDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const env: NodeJS.ProcessEnv = { ...process.env, NDIS_REVIEW_CACHE_DIR: cacheDir };
    delete env.NDIS_REVIEW_CACHE;
    const child = spawn(process.execPath, [cliPath, 'scan', dir, '--format', 'json', '--fail-on', 'never'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`ndis-review exited with ${String(code)}: ${Buffer.concat(err).toString()}`));
      else resolve(performance.now() - t0);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

function filesUnder(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push({ path: join(e.parentPath, e.name), bytes: statSync(join(e.parentPath, e.name)).size });
  }
  return out;
}

interface Layout {
  name: string;
  target: string;
  /** The repository name the CLI gives the cache for the target (its top folder). */
  top: string;
  cache: string;
  warm: number[];
  edited: number[];
}

async function main(): Promise<void> {
  const others = numberOption('others', 3);
  const runs = numberOption('runs', 5);
  const work = mkdtempSync(join(tmpdir(), 'ndis-review-cache-store-'));
  try {
    const layouts: Layout[] = [];
    for (const name of ['one file', 'per repository']) {
      const base = join(work, name.replace(' ', '-'));
      // One checkout holding every corpus, or each corpus on its own.
      if (name === 'one file') mkdirSync(join(base, '.git'), { recursive: true });
      const repos: string[] = [];
      for (let i = 0; i <= others; i++) {
        const dir = join(base, `repo${String(i)}`);
        writeCorpus(dir, generateCorpus(20261122 + i));
        repos.push(dir);
      }
      const cache = join(work, `cache-${name.replace(' ', '-')}`);
      for (const dir of repos.slice(1)) await runCli(dir, cache);
      await runCli(repos[0], cache);
      layouts.push({ name, target: repos[0], top: name === 'one file' ? base : repos[0], cache, warm: [], edited: [] });
    }
    for (let i = 0; i < runs; i++) for (const l of layouts) l.warm.push(await runCli(l.target, l.cache));
    for (let i = 0; i < runs; i++) {
      for (const l of layouts) {
        appendFileSync(join(l.target, EDITS.dataPathFile), `/* cache-store bench edit ${String(i)} */\n`);
        l.edited.push(await runCli(l.target, l.cache));
      }
    }
    console.log(
      `${String(others)} other repositories in the cache; CLI wall time, median of ${String(runs)}, runs interleaved`,
    );
    for (const l of layouts) {
      const files = filesUnder(l.cache);
      const total = files.reduce((n, f) => n + f.bytes, 0);
      const load: number[] = [];
      const save: number[] = [];
      let size = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const c = new FactCache({ dir: l.cache, repository: l.top });
        load.push(performance.now() - t0);
        size = c.size;
        const t1 = performance.now();
        c.setResults('bench', { findings: [], notices: [] } as unknown as Parameters<FactCache['setResults']>[1]);
        await c.save();
        save.push(performance.now() - t1);
      }
      console.log(
        `${l.name}: ${String(files.length)} cache file(s), ${(total / 1e6).toFixed(1)} MB; a run loads ${String(size)} entries` +
          ` in ${ms(median(load))}, saves in ${ms(median(save))}; warm run ${ms(median(l.warm))},` +
          ` one file changed ${ms(median(l.edited))}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
