/**
 * The benchmark: generates the corpus (bench/corpus.ts) into a temporary
 * folder and measures, in one run:
 *
 *   - the baseline: a raw tree-sitter parse of every file, one thread;
 *   - cold scans: in a fresh process (the CLI, cache off) and in process;
 *   - warm scans with nothing changed: in process (memory cache) and in a
 *     fresh process (disk cache);
 *   - re-scans after one file changed (a data-path file, the initialize file);
 *   - memory;
 *   - correctness: the cold scan's findings against the corpus's expected list.
 *
 * Every figure printed is measured in this run. Exit code 1 when the findings
 * differ from the expected list (or a warm re-scan differs from the cold one).
 *
 * Run: npm run bench   (builds, then node dist/bench/bench.js)
 * Options: --keep (keep the temporary folder), --seed N, --out DIR (write the corpus there and stop).
 * Real code: --corpus DIR runs bench/real-corpus.ts on every driver folder under DIR after the
 * generated bench (--corpus-only skips it; --rounds N, --only NAME,NAME; --spatch-cap SECONDS, default 120,
 * stops spatch on one driver and counts the cap, a lower bound on its time; --whole-pack turns the
 * preview rules on too, as a configuration naming each does).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { FactCache } from '../src/engine/cache.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { decodeSource } from '../src/engine/text.js';
import type { Finding, ScanResult, ScanStats } from '../src/engine/types.js';
import { checkCorpusDir, realCorpusBench } from './real-corpus.js';
import { EDITS, corpusSize, generateCorpus, writeCorpus, type ExpectedFinding } from './corpus.js';
import { defined } from '../src/util/defined.js';
import { median } from './stats.js';

const DEFAULT_SEED = 20261122;
const RULES = new Set(['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length']);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = join(repoRoot, 'bin', 'ndis-review.js');

// A collection before each timed in-process run, so one run's garbage is not billed to the next.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

// ------------------------------------------------------------------ helpers

function fmtMs(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}

function fmtRuns(xs: number[]): string {
  return xs.map((x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))).join(', ');
}

function log(s: string): void {
  process.stderr.write(`[bench] ${s}\n`);
}

interface ProcRun {
  wallMs: number;
  stats: ScanStats & { maxRssKiB: number };
  result: ScanResult;
}

/** Runs the CLI in a fresh Node process; wall time from spawn to exit. */
function runCli(dir: string, env: NodeJS.ProcessEnv): Promise<ProcRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cliPath, 'scan', dir, '--format', 'json', '--stats', '--fail-on', 'never'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`ndis-review exited with ${String(code)}: ${stderr}`));
        return;
      }
      const statsLine = stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (!statsLine) {
        reject(new Error(`no stats line on stderr: ${stderr}`));
        return;
      }
      try {
        resolve({
          wallMs,
          stats: JSON.parse(statsLine) as ProcRun['stats'],
          result: JSON.parse(Buffer.concat(out).toString('utf8')) as ScanResult,
        });
      } catch (e) {
        reject(e instanceof Error ? e : new Error('unreadable scan output', { cause: e }));
      }
    });
  });
}

function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NDIS_REVIEW_CACHE;
  delete env.NDIS_REVIEW_CACHE_DIR;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  gc();
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const key = (f: { rule: string; path: string; line: number }) => `${f.rule} ${f.path}:${String(f.line)}`;

function ruleFindings(r: ScanResult): Finding[] {
  return r.findings.filter((f) => RULES.has(f.rule));
}

function sameFindings(a: ScanResult, b: ScanResult): boolean {
  const ka = ruleFindings(a).map(key).sort().join('\n');
  const kb = ruleFindings(b).map(key).sort().join('\n');
  return ka === kb;
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const corpusArg = args.indexOf('--corpus');
  const corpus = corpusArg >= 0 ? args[corpusArg + 1] : undefined;
  if (corpusArg >= 0 && (!corpus || corpus.startsWith('--'))) throw new Error('--corpus needs a directory');
  if (corpus) checkCorpusDir(corpus);
  let code = args.includes('--corpus-only') ? 0 : await generatedBench(args);
  if (corpus) {
    const roundsArg = args.indexOf('--rounds');
    const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 1;
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a whole number of at least 1');
    const onlyArg = args.indexOf('--only');
    const only = onlyArg >= 0 ? args[onlyArg + 1]?.split(',') : undefined;
    const capArg = args.indexOf('--spatch-cap');
    const spatchCapMs = 1000 * (capArg >= 0 ? Number(args[capArg + 1]) : 120);
    const wholePack = args.includes('--whole-pack');
    const real = await realCorpusBench(corpus, { rounds, only, log, spatchCapMs, wholePack });
    process.stdout.write('\n' + real.lines.join('\n') + '\n');
    if (real.inconsistent.length) code = Math.max(code, 1);
  }
  return code;
}

async function generatedBench(args: string[]): Promise<number> {
  const seedArg = args.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : DEFAULT_SEED;
  const outArg = args.indexOf('--out');
  const keep = args.includes('--keep');
  const tStart = performance.now();

  // ---- corpus
  const tg = performance.now();
  const corpus = generateCorpus(seed);
  const genMs = performance.now() - tg;
  const size = corpusSize(corpus);
  if (outArg >= 0) {
    writeCorpus(args[outArg + 1], corpus);
    log(
      `corpus written to ${args[outArg + 1]}: ${String(size.files)} files, ${String(size.lines)} lines, ${String(size.bytes)} bytes`,
    );
    return 0;
  }
  const tmp = mkdtempSync(join(os.tmpdir(), 'ndis-review-bench-'));
  const dir = join(tmp, 'corpus');
  const cacheDir = join(tmp, 'cache');
  writeCorpus(dir, corpus);
  const files: SourceFile[] = corpus.files.map((f) => ({
    path: f.path,
    bytes: readFileSync(join(dir, ...f.path.split('/'))),
  }));
  log(`corpus: ${String(size.files)} files, ${String(size.lines)} lines, ${String(size.bytes)} bytes in ${dir}`);

  try {
    // ---- baseline: raw tree-sitter parse, one thread, this process
    log('baseline: raw tree-sitter parse (1 warm-up + 5 runs)');
    const texts = files.map((f) => decodeSource(f.bytes).text);
    const parser = new Parser();
    parser.setLanguage(C);
    const parseAll = () => {
      let nodes = 0;
      for (const text of texts) {
        const tree = parser.parse(text, undefined, { bufferSize: Math.max(32768, text.length + 1) });
        nodes += tree.rootNode.childCount;
      }
      return nodes;
    };
    parseAll();
    const rawRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      gc();
      const t0 = performance.now();
      parseAll();
      rawRuns.push(performance.now() - t0);
    }
    const raw = median(rawRuns);

    // ---- cold scan, fresh process, cache off
    log('cold scan, fresh process (1 untimed warm-up + 3 runs)');
    await runCli(dir, cliEnv({ NDIS_REVIEW_CACHE: 'off' })); // OS file cache and module loading; no fact cache involved
    const coldProc: ProcRun[] = [];
    for (let i = 0; i < 3; i++) coldProc.push(await runCli(dir, cliEnv({ NDIS_REVIEW_CACHE: 'off' })));
    const coldProcWall = median(coldProc.map((r) => r.wallMs));
    const coldProcTotal = median(coldProc.map((r) => r.stats.ms.total));
    const coldProcRss = median(coldProc.map((r) => r.stats.maxRssKiB));
    const coldStats = coldProc[0].stats;
    const coldResult = coldProc[0].result;

    // ---- cold scan, in process
    log('cold scan, in process (3 runs automatic workers, 3 runs workers: 0)');
    const coldIn: { ms: number; value: ScanResult }[] = [];
    let heapAfterScan = 0;
    let heapRetained = 0;
    const heapBefore = (gc(), process.memoryUsage().heapUsed);
    for (let i = 0; i < 3; i++) {
      coldIn.push(await timed(() => scan({ root: dir, files, cache: null })));
      if (i === 0) {
        heapAfterScan = process.memoryUsage().heapUsed;
        gc();
        heapRetained = process.memoryUsage().heapUsed;
      }
    }
    const coldInMs = median(coldIn.map((r) => r.ms));
    const coldIn0: { ms: number; value: ScanResult }[] = [];
    for (let i = 0; i < 3; i++) coldIn0.push(await timed(() => scan({ root: dir, files, cache: null, workers: 0 })));
    const coldIn0Ms = median(coldIn0.map((r) => r.ms));

    // ---- warm scan, in process
    log('warm scan, in process (1 fill + 5 runs)');
    const cache = new FactCache();
    const fill = await timed(() => scan({ root: dir, files, cache }));
    const warmIn: { ms: number; value: ScanResult }[] = [];
    for (let i = 0; i < 5; i++) warmIn.push(await timed(() => scan({ root: dir, files, cache })));
    const warmInMs = median(warmIn.map((r) => r.ms));

    // ---- warm scan, fresh process, disk cache
    log('warm scan, fresh process with disk cache (1 fill + 3 runs)');
    const diskEnv = cliEnv({ NDIS_REVIEW_CACHE_DIR: cacheDir });
    const diskFill = await runCli(dir, diskEnv);
    const warmProc: ProcRun[] = [];
    for (let i = 0; i < 3; i++) warmProc.push(await runCli(dir, diskEnv));
    const warmProcWall = median(warmProc.map((r) => r.wallMs));
    const warmProcTotal = median(warmProc.map((r) => r.stats.ms.total));

    // ---- one file changed, in process, warm cache
    log('one file changed, in process (2 x 5 runs)');
    const dataIdx = files.findIndex((f) => f.path === EDITS.dataPathFile);
    const initIdx = files.findIndex((f) => f.path === EDITS.initFile);
    if (dataIdx < 0 || initIdx < 0) throw new Error('edit targets missing from the corpus');
    const initText = decodeSource(files[initIdx].bytes).text;
    if (!EDITS.initStatement.test(initText)) throw new Error(`no statement to edit in ${EDITS.initFile}`);
    const changed = async (idx: number, bytes: Uint8Array) => {
      const edited = files.slice();
      edited[idx] = { path: files[idx].path, bytes };
      return timed(() => scan({ root: dir, files: edited, cache }));
    };
    const dataRuns: { ms: number; value: ScanResult }[] = [];
    for (let i = 0; i < 5; i++) {
      const bytes = Buffer.concat([
        Buffer.from(files[dataIdx].bytes),
        Buffer.from(`/* bench edit ${String(i + 1)}: ${String(Date.now())} */\n`),
      ]);
      dataRuns.push(await changed(dataIdx, bytes));
    }
    const initRuns: { ms: number; value: ScanResult }[] = [];
    for (let i = 0; i < 5; i++) {
      const text = initText.replace(EDITS.initStatement, `$1${String(2048 + 512 * (i + 1))};`);
      initRuns.push(await changed(initIdx, Buffer.from(text, 'utf8')));
    }
    const dataMs = median(dataRuns.map((r) => r.ms));
    const initMs = median(initRuns.map((r) => r.ms));

    // ---- correctness
    const got = ruleFindings(coldResult);
    const expectedKeys = new Map<string, ExpectedFinding[]>();
    for (const e of corpus.expected) expectedKeys.set(key(e), [...(expectedKeys.get(key(e)) ?? []), e]);
    const matched: ExpectedFinding[] = [];
    const extra: Finding[] = [];
    for (const f of got) {
      const list = expectedKeys.get(key(f));
      if (list?.length) matched.push(defined(list.shift()));
      else extra.push(f);
    }
    const missing = [...expectedKeys.values()].flat();
    const consistency: [string, ScanResult][] = [
      ...coldProc.slice(1).map((r, i) => [`cold process run ${String(i + 2)}`, r.result] as [string, ScanResult]),
      ...coldIn.map((r, i) => [`cold in-process run ${String(i + 1)}`, r.value] as [string, ScanResult]),
      ...coldIn0.map((r, i) => [`cold in-process workers:0 run ${String(i + 1)}`, r.value] as [string, ScanResult]),
      ['warm fill', fill.value],
      ...warmIn.map((r, i) => [`warm in-process run ${String(i + 1)}`, r.value] as [string, ScanResult]),
      ['disk cache fill', diskFill.result],
      ...warmProc.map((r, i) => [`warm process run ${String(i + 1)}`, r.result] as [string, ScanResult]),
      ...dataRuns.map((r, i) => [`data-path edit ${String(i + 1)}`, r.value] as [string, ScanResult]),
      ...initRuns.map((r, i) => [`init edit ${String(i + 1)}`, r.value] as [string, ScanResult]),
    ];
    const inconsistent = consistency.filter(([, r]) => !sameFindings(r, coldResult)).map(([n]) => n);

    // ---- report
    const cpus = os.cpus();
    const lines: string[] = [];
    const row = (name: string, value: string, runs: string, note = '') =>
      lines.push(`  ${name.padEnd(52)} ${value.padStart(11)}   ${runs.padEnd(26)} ${note}`.trimEnd());
    lines.push('ndis-review benchmark', '');
    lines.push(
      `machine   ${String(cpus.length)} CPU(s), ${cpus[0]?.model.trim() ?? 'unknown'}; Node ${process.version}; ${os.platform()} ${os.arch()}; ${String(Math.round(os.totalmem() / 2 ** 30))} GiB`,
    );
    lines.push(
      `corpus    seed ${String(seed)}: ${String(size.files)} files, ${size.lines.toLocaleString('en-US')} lines, ${size.bytes.toLocaleString('en-US')} bytes (generated in ${fmtMs(genMs)})`,
    );
    lines.push(
      `          ${String(corpus.expected.length)} injected violations; cold scan parsed ${String(coldStats.parsed)} of ${String(coldStats.files)} files (needed ${String(coldStats.needed)}), ${String(coldStats.workers)} worker(s)`,
    );
    lines.push('');
    lines.push(`  ${'figure'.padEnd(52)} ${'median'.padStart(11)}   ${'runs (ms)'.padEnd(26)} notes`);
    row('raw tree-sitter parse, all files, 1 thread', fmtMs(raw), fmtRuns(rawRuns), '1 warm-up; decode not timed');
    row(
      'cold scan, fresh process, wall',
      fmtMs(coldProcWall),
      fmtRuns(coldProc.map((r) => r.wallMs)),
      'NDIS_REVIEW_CACHE=off; 1 warm-up; includes Node start-up',
    );
    row(
      'cold scan, fresh process, stats ms.total',
      fmtMs(coldProcTotal),
      fmtRuns(coldProc.map((r) => r.stats.ms.total)),
      `read ${String(coldStats.ms.read)} lex ${String(coldStats.ms.lex)} parse ${String(coldStats.ms.parse)} link ${String(coldStats.ms.link)} rules ${String(coldStats.ms.rules)}`,
    );
    row(
      `cold scan, in process (automatic: ${String(coldIn[0].value.stats.workers)} worker(s))`,
      fmtMs(coldInMs),
      fmtRuns(coldIn.map((r) => r.ms)),
      `parsed ${String(coldIn[0].value.stats.parsed)}/${String(coldIn[0].value.stats.files)}`,
    );
    row(
      'cold scan, in process (workers: 0)',
      fmtMs(coldIn0Ms),
      fmtRuns(coldIn0.map((r) => r.ms)),
      `parsed ${String(coldIn0[0].value.stats.parsed)}/${String(coldIn0[0].value.stats.files)}`,
    );
    row(
      'warm scan, in process, nothing changed',
      fmtMs(warmInMs),
      fmtRuns(warmIn.map((r) => r.ms)),
      `fill ${fmtMs(fill.ms)}; lexed ${String(warmIn[0].value.stats.lexed)}, parsed ${String(warmIn[0].value.stats.parsed)}`,
    );
    row(
      'warm scan, fresh process, disk cache, wall',
      fmtMs(warmProcWall),
      fmtRuns(warmProc.map((r) => r.wallMs)),
      `fill ${fmtMs(diskFill.wallMs)}; includes Node start-up, cache load`,
    );
    row(
      'warm scan, fresh process, disk cache, ms.total',
      fmtMs(warmProcTotal),
      fmtRuns(warmProc.map((r) => r.stats.ms.total)),
      `lexed ${String(warmProc[0].stats.lexed)}, parsed ${String(warmProc[0].stats.parsed)}`,
    );
    row(
      `one file changed: comment appended to ${String(EDITS.dataPathFile.split('/').pop())}`,
      fmtMs(dataMs),
      fmtRuns(dataRuns.map((r) => r.ms)),
      `in process, warm; lexed ${String(dataRuns[0].value.stats.lexed)}, parsed ${String(dataRuns[0].value.stats.parsed)}`,
    );
    row(
      `one file changed: statement in ${EDITS.initFile}`,
      fmtMs(initMs),
      fmtRuns(initRuns.map((r) => r.ms)),
      `in process, warm; lexed ${String(initRuns[0].value.stats.lexed)}, parsed ${String(initRuns[0].value.stats.parsed)}`,
    );
    row(
      'memory: maxRssKiB, cold fresh process',
      `${(coldProcRss / 1024).toFixed(1)} MiB`,
      coldProc.map((r) => r.stats.maxRssKiB).join(', ') + ' KiB',
    );
    row(
      'memory: heapUsed right after an in-process cold scan',
      `${(heapAfterScan / 2 ** 20).toFixed(1)} MiB`,
      '',
      `before the scan ${(heapBefore / 2 ** 20).toFixed(1)} MiB; after GC, result kept: ${(heapRetained / 2 ** 20).toFixed(1)} MiB`,
    );
    lines.push('');
    lines.push(`  ${'ratio'.padEnd(52)} ${'value'.padStart(11)}   ${'target'.padEnd(10)} result`);
    const ratio = (name: string, v: number, target?: number) =>
      lines.push(
        `  ${name.padEnd(52)} ${v.toFixed(3).padStart(11)}   ${(target === undefined ? '-' : `<= ${target.toFixed(2)}`).padEnd(10)} ${target === undefined ? '' : v <= target ? 'PASS' : 'MISS'}`.trimEnd(),
      );
    ratio('cold (fresh process, wall) / raw parse', coldProcWall / raw, 1.2);
    ratio('cold (fresh process, ms.total) / raw parse', coldProcTotal / raw);
    ratio('cold (in process) / raw parse', coldInMs / raw);
    ratio('cold (in process, workers: 0) / raw parse', coldIn0Ms / raw);
    ratio('warm (in process) / cold (in process)', warmInMs / coldInMs, 0.05);
    ratio('warm (fresh process, disk, wall) / cold (fresh process, wall)', warmProcWall / coldProcWall, 0.05);
    ratio('one file changed (data path) / cold (in process)', dataMs / coldInMs, 0.1);
    ratio('one file changed (initialize) / cold (in process)', initMs / coldInMs, 0.1);
    lines.push('');
    lines.push(
      `correctness (cold fresh-process scan vs. expected): ${String(matched.length)} matched, ${String(missing.length)} missing, ${String(extra.length)} extra`,
    );
    for (const e of matched) lines.push(`  ok       ${key(e)}  (${e.note})`);
    for (const e of missing) lines.push(`  MISSING  ${key(e)}  (${e.note})`);
    for (const f of extra) {
      lines.push(`  EXTRA    ${key(f)}: ${f.message}`);
      for (const t of f.trace) lines.push(`             ${t.path}:${String(t.line)} ${t.message}`);
    }
    lines.push(
      inconsistent.length
        ? `consistency: findings differ from the cold scan in: ${inconsistent.join(', ')}`
        : `consistency: all ${String(consistency.length)} other scans (cold, warm, disk cache, edited) report the same findings`,
    );
    lines.push('', `total bench time ${((performance.now() - tStart) / 1000).toFixed(1)} s`);
    process.stdout.write(lines.join('\n') + '\n');
    return missing.length || extra.length || inconsistent.length ? 1 : 0;
  } finally {
    if (keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? String(e.stack) : String(e)}\n`);
    process.exitCode = 2;
  },
);
