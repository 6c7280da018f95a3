/**
 * The speed figures on real driver code: every driver folder under a corpus
 * directory (the evaluation's, `eval/README.md` says how to get it) is one
 * repository root. Per driver, interleaved so a change in machine load hits
 * every side alike:
 *
 *   - raw parse: `dist/bench/raw-parse.js DIR` in a fresh process, one thread
 *     (every file the scan lists, parsed once);
 *   - cold scan, one thread: the CLI, cache off, `NDIS_REVIEW_WORKERS=0`;
 *   - cold scan, worker pool: the same with one parse worker per spare core;
 *   - warm scan: the CLI with a disk cache filled by one earlier run, beside a
 *     bare `node -e 0`;
 *   - Coccinelle (`spatch`, Debian's `coccinelle`) with
 *     `bench/map-without-unmap.cocci`, when it is installed;
 *   - in process: a cold scan, then one edit in the file that maps (the file
 *     the initialize analysis reads) re-scanned with the warm in-memory cache:
 *     a comment line above the mapping (the goal's figure), and apart, an
 *     empty statement there, which changes the tokens the analysis reads.
 *
 * Figures are sums over the drivers (medians over `--rounds` rounds), so a
 * driver that takes longer weighs more, as it does for a user.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FactCache } from '../src/engine/cache.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { listSources } from '../src/engine/sources.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import type { ScanResult, ScanStats } from '../src/engine/types.js';
import { defined } from '../src/util/defined.js';
import { coccinelleRatios, type SpatchRun } from './coccinelle-ratio.js';
import { ruleShares } from './rule-shares.js';
import { median, sum } from './stats.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = join(repoRoot, 'bin', 'ndis-review.js');
const rawParsePath = join(repoRoot, 'dist', 'bench', 'raw-parse.js');
const coccinelleRule = join(repoRoot, 'bench', 'map-without-unmap.cocci');
const MAP_CALL = /\bNdisMMapIoSpace\s*\(/;

export interface RealBenchOptions {
  rounds: number;
  log: (s: string) => void;
  /** Only these driver folders (names under the corpus directory). */
  only?: string[];
  /** Stop spatch on one driver after this long; its time then counts as the cap (a lower bound). */
  spatchCapMs?: number;
  /** Every rule of the pack on, the preview ones too (by default they are off, as in a user's scan). */
  wholePack?: boolean;
}

interface ProcOut {
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], env: NodeJS.ProcessEnv, cwd?: string, timeoutMs?: number): Promise<ProcOut> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // A process past its time is stopped; its time then counts as the cap, a lower bound.
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        wallMs: performance.now() - t0,
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

interface CliRun {
  wallMs: number;
  stats: ScanStats & { maxRssKiB: number };
  result: ScanResult;
}

async function cliScan(dir: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<CliRun> {
  const r = await run(
    [process.execPath, cliPath, 'scan', dir, '--format', 'json', '--stats', '--fail-on', 'never', ...extra],
    env,
  );
  // --fail-on never: 0 complete, 3 incomplete; anything else is the bench's failure.
  if (r.code !== 0 && r.code !== 3)
    throw new Error(`ndis-review on ${dir} exited ${String(r.code)}: ${r.stderr.slice(0, 400)}`);
  const statsLine = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!statsLine) throw new Error(`no stats line for ${dir}`);
  return {
    wallMs: r.wallMs,
    stats: JSON.parse(statsLine) as CliRun['stats'],
    result: JSON.parse(r.stdout) as ScanResult,
  };
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NDIS_REVIEW_CACHE;
  delete env.NDIS_REVIEW_CACHE_DIR;
  delete env.NDIS_REVIEW_WORKERS;
  return { ...env, ...extra };
}

const findingKeys = (r: ScanResult) =>
  r.findings
    .map((f) => `${f.rule} ${f.path}:${String(f.line)}`)
    .sort()
    .join('\n');

/** How many rules the figures name beside the rules stage's share. */
const TOP_RULES = 4;

/** Driver folders: each directory directly under the corpus that holds a C source somewhere. */
async function driversIn(corpus: string, only?: string[]): Promise<string[]> {
  const names = readdirSync(corpus)
    .filter((n) => statSync(join(corpus, n)).isDirectory())
    .filter((n) => !only || only.includes(n))
    .sort();
  const out: string[] = [];
  for (const n of names) if ((await listSources(join(corpus, n))).paths.length > 0) out.push(n);
  return out;
}

/**
 * The edit the in-process figure re-scans: a comment line inserted above the
 * first line that calls NdisMMapIoSpace (a new line, never inside a macro's
 * continuation), so the file that maps, which the initialize analysis reads,
 * is lexed, parsed and analysed again. Undefined when the driver never maps.
 *
 * `statement`: an empty statement (`;`, n of them) on a line of its own after
 * the nearest line above that ends a statement or opens a block, so the
 * tokens of the function that maps change and its analyses are made again
 * (the comment moves code the analyses read, which they can find again).
 */
function mapEdit(
  files: SourceFile[],
  n: number,
  kind: 'comment' | 'statement' = 'comment',
): { index: number; bytes: Buffer } | undefined {
  for (let index = 0; index < files.length; index++) {
    const text = Buffer.from(files[index].bytes).toString('latin1');
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => MAP_CALL.test(l) && !/\\\r?$/.test(lines[i - 1] ?? '') && !/^\s*#/.test(l));
    if (at < 0) continue;
    if (kind === 'comment') lines.splice(at, 0, `/* bench edit ${String(n)} */`);
    else {
      let before = at - 1;
      while (before >= 0 && !/[;{]\s*\r?$/.test(lines[before])) before--;
      if (before < 0) continue;
      lines.splice(before + 1, 0, ';'.repeat(n));
    }
    return { index, bytes: Buffer.from(lines.join('\n'), 'latin1') };
  }
  return undefined;
}

export interface RealBenchResult {
  lines: string[];
  /** Findings differed between the ways of scanning one driver (a bench failure). */
  inconsistent: string[];
}

export async function realCorpusBench(corpus: string, opts: RealBenchOptions): Promise<RealBenchResult> {
  const drivers = await driversIn(corpus, opts.only);
  if (drivers.length === 0) throw new Error(`no driver folders with C sources under ${corpus}`);
  const spare = Math.max(1, os.availableParallelism() - 1);
  const tmp = mkdtempSync(join(os.tmpdir(), 'ndis-review-realbench-'));
  // The whole pack: a configuration naming every preview rule at its own severity, as a user turns one on.
  const preview = loadRulePack().rules.filter((r) => r.preview === true);
  const enable = opts.wholePack ? preview.map((r) => r.id) : [];
  const configArgs: string[] = [];
  if (opts.wholePack) {
    const file = join(tmp, 'whole-pack.yml');
    writeFileSync(file, `rules:\n${preview.map((r) => `  ${r.id}: ${r.severity}\n`).join('')}`);
    configArgs.push('--config', file);
  }
  const inconsistent: string[] = [];
  // Whether the CLI runs its bundle through the code cache (the build makes it; a first run writes one).
  const probe = await run([process.execPath, cliPath, '--version'], baseEnv({ NDIS_REVIEW_CODE_CACHE: 'report' }));
  const cacheState = /code cache: (.*)/.exec(probe.stderr)?.[1];
  const codeCache = cacheState
    ? `the bundle through its code cache (before the rounds: ${cacheState}); each cold scan again without it`
    : 'the compiled sources, not the bundle (build it: npm run build): no code cache';
  const rounds: {
    raw: number[];
    cold: number[];
    /** The same cold scan with the CLI's code cache off (NDIS_REVIEW_CODE_CACHE=0): what the cache saves. */
    uncached: number[];
    pool: number[];
    warm: number[];
    bare: number[];
    rules: number[];
    /** Per rule, its own time summed over the drivers' cold scans (`--stats` ruleMs). */
    byRule: Map<string, number>;
    bodies: number[];
    total: number[];
  }[] = [];
  let maxRssKiB = 0;
  let maxRssDriver = '';
  let files = 0;
  let bytes = 0;
  let parsedFiles = 0;
  let findings = 0;
  let budgetNotices = 0;
  let incomplete = 0;
  const budgetWhere: string[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const r = {
        raw: [],
        cold: [],
        uncached: [],
        pool: [],
        warm: [],
        bare: [],
        rules: [],
        byRule: new Map(),
        bodies: [],
        total: [],
      } as (typeof rounds)[number];
      for (const [i, name] of drivers.entries()) {
        const dir = join(corpus, name);
        opts.log(
          `round ${String(round + 1)}/${String(opts.rounds)}, driver ${String(i + 1)}/${String(drivers.length)}: ${name}`,
        );
        const raw = await run([process.execPath, rawParsePath, dir], process.env);
        if (raw.code !== 0) throw new Error(`raw parse of ${dir} failed: ${raw.stderr}`);
        const rawOut = JSON.parse(raw.stdout) as { files: number; bytes: number };
        const cold = await cliScan(dir, baseEnv({ NDIS_REVIEW_CACHE: 'off', NDIS_REVIEW_WORKERS: '0' }), configArgs);
        const uncached = await cliScan(
          dir,
          baseEnv({ NDIS_REVIEW_CACHE: 'off', NDIS_REVIEW_WORKERS: '0', NDIS_REVIEW_CODE_CACHE: '0' }),
          configArgs,
        );
        const pool = await cliScan(
          dir,
          baseEnv({ NDIS_REVIEW_CACHE: 'off', NDIS_REVIEW_WORKERS: String(spare) }),
          configArgs,
        );
        const cacheDir = join(tmp, `cache-${name}`);
        if (round === 0) await cliScan(dir, baseEnv({ NDIS_REVIEW_CACHE_DIR: cacheDir }), configArgs);
        const warm = await cliScan(dir, baseEnv({ NDIS_REVIEW_CACHE_DIR: cacheDir }), configArgs);
        const bare = await run([process.execPath, '-e', '0'], process.env);
        r.raw.push(raw.wallMs);
        r.cold.push(cold.wallMs);
        r.uncached.push(uncached.wallMs);
        r.pool.push(pool.wallMs);
        r.warm.push(warm.wallMs);
        r.bare.push(bare.wallMs);
        r.rules.push(cold.stats.ms.rules);
        for (const [id, ms] of Object.entries(cold.stats.ruleMs ?? {})) r.byRule.set(id, (r.byRule.get(id) ?? 0) + ms);
        r.bodies.push(cold.stats.ms.bodies);
        r.total.push(cold.stats.ms.total);
        if (findingKeys(pool.result) !== findingKeys(cold.result)) inconsistent.push(`${name}: pool vs one thread`);
        if (findingKeys(uncached.result) !== findingKeys(cold.result))
          inconsistent.push(`${name}: without the code cache vs with it`);
        if (findingKeys(warm.result) !== findingKeys(cold.result)) inconsistent.push(`${name}: warm vs cold`);
        if (round === 0) {
          files += rawOut.files;
          bytes += rawOut.bytes;
          parsedFiles += cold.stats.parsed;
          findings += cold.result.findings.length;
          if (!cold.result.complete) incomplete++;
          for (const n of cold.result.notices.filter((x) => x.kind === 'budget')) {
            budgetNotices++;
            budgetWhere.push(`${name}/${n.path ?? ''}:${String(n.line ?? '')}`);
          }
        }
        for (const run of [cold, pool]) {
          if (run.stats.maxRssKiB > maxRssKiB) {
            maxRssKiB = run.stats.maxRssKiB;
            maxRssDriver = name;
          }
        }
      }
      rounds.push(r);
    }

    // In process: a cold scan, then the edit of the mapping file with the warm cache.
    const coldIn: number[] = [];
    const editIn: number[] = [];
    const statementIn: number[] = [];
    const statementCold: number[] = [];
    const editSplit = { parse: 0, bodies: 0, rules: 0, total: 0 };
    let edited = 0;
    for (const [i, name] of drivers.entries()) {
      const dir = join(corpus, name);
      const paths = (await listSources(dir)).paths;
      const srcs: SourceFile[] = paths.map((p) => ({
        path: relative(dir, p).split('\\').join('/'),
        bytes: readFileSync(p),
      }));
      const edit = mapEdit(srcs, 1);
      if (!edit) continue;
      opts.log(`in process, driver ${String(i + 1)}/${String(drivers.length)}: ${name}`);
      const t0 = performance.now();
      const cold = await scan({ root: dir, files: srcs, cache: null, workers: 0, enable });
      const coldMs = performance.now() - t0;
      const cache = new FactCache();
      await scan({ root: dir, files: srcs, cache, workers: 0, enable });
      const editRuns: number[] = [];
      for (let n = 1; n <= 3; n++) {
        const e = defined(mapEdit(srcs, n));
        const changed = srcs.slice();
        changed[e.index] = { path: srcs[e.index].path, bytes: e.bytes };
        const t1 = performance.now();
        const after = await scan({ root: dir, files: changed, cache, workers: 0, enable });
        editRuns.push(performance.now() - t1);
        if (n === 3) {
          editSplit.parse += after.stats.ms.parse;
          editSplit.bodies += after.stats.ms.bodies;
          editSplit.rules += after.stats.ms.rules;
          editSplit.total += after.stats.ms.total;
        }
        // The inserted line moves what follows it by one: compare rule and file only.
        const shape = (r: ScanResult) =>
          r.findings
            .map((f) => `${f.rule} ${f.path}`)
            .sort()
            .join('\n');
        if (shape(after) !== shape(cold)) inconsistent.push(`${name}: edited re-scan vs cold`);
      }
      // The code edit: each from the same warm cache (a fresh one, filled by the unedited sources).
      const codeCache = new FactCache();
      await scan({ root: dir, files: srcs, cache: codeCache, workers: 0, enable });
      const statementRuns: number[] = [];
      for (let n = 1; n <= 3; n++) {
        const e = mapEdit(srcs, n, 'statement');
        if (!e) break;
        const changed = srcs.slice();
        changed[e.index] = { path: srcs[e.index].path, bytes: e.bytes };
        const t1 = performance.now();
        const after = await scan({ root: dir, files: changed, cache: codeCache, workers: 0, enable });
        statementRuns.push(performance.now() - t1);
        const fresh = await scan({ root: dir, files: changed, cache: null, workers: 0, enable });
        if (JSON.stringify(after.findings) !== JSON.stringify(fresh.findings))
          inconsistent.push(`${name}: re-scan after a code edit vs a fresh scan of it`);
      }
      coldIn.push(coldMs);
      editIn.push(median(editRuns));
      if (statementRuns.length) {
        statementIn.push(median(statementRuns));
        statementCold.push(coldMs);
      }
      edited++;
    }

    // Coccinelle, once per driver, when installed.
    const spatch = spawnSync('spatch', ['--version'], { encoding: 'utf8' });
    const haveSpatch = spatch.status === 0;
    const spatchRuns: SpatchRun[] = [];
    if (haveSpatch) {
      for (const [i, name] of drivers.entries()) {
        opts.log(`coccinelle, driver ${String(i + 1)}/${String(drivers.length)}: ${name}`);
        const r = await run(
          ['spatch', '--sp-file', coccinelleRule, '--no-includes', join(corpus, name)],
          process.env,
          tmp,
          opts.spatchCapMs,
        );
        spatchRuns.push({
          ms: Math.min(r.wallMs, opts.spatchCapMs ?? Infinity),
          capped: r.code === null,
          failed: r.code !== null && r.code !== 0,
        });
      }
    }

    // ---- figures
    const pick = (f: (r: (typeof rounds)[number]) => number[]) => median(rounds.map((r) => sum(f(r))));
    const raw = pick((r) => r.raw);
    const cold = pick((r) => r.cold);
    const uncached = pick((r) => r.uncached);
    const pool = pick((r) => r.pool);
    const warm = pick((r) => r.warm);
    const bare = pick((r) => r.bare);
    const rulesShare = pick((r) => r.rules) / pick((r) => r.total);
    // Bodies the rules read are parsed on first read: parse work, given apart from the rules' own time.
    const bodiesShare = pick((r) => r.bodies) / pick((r) => r.total);
    const lines: string[] = [];
    const cpus = os.cpus();
    lines.push('ndis-review benchmark on real drivers', '');
    lines.push(
      `machine   ${String(cpus.length)} CPU(s), ${cpus[0]?.model.trim() ?? 'unknown'}; Node ${process.version}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    lines.push(
      `corpus    ${corpus}: ${String(drivers.length)} drivers, ${files.toLocaleString('en-US')} files, ${bytes.toLocaleString('en-US')} bytes; the cold scans parsed ${String(parsedFiles)} files`,
    );
    lines.push(
      `          ${String(findings)} findings; ${String(incomplete)} incomplete reports; ${String(budgetNotices)} budget notice(s)${budgetWhere.length ? ': ' + budgetWhere.join(', ') : ''}`,
    );
    lines.push(
      `          ${String(opts.rounds)} round(s); each figure is the sum over the drivers, median over the rounds`,
    );
    lines.push(
      opts.wholePack
        ? `rules     the whole pack: every rule on, the ${String(preview.length)} preview rules too (--whole-pack)`
        : `rules     as a user's scan: the ${String(preview.length)} preview rules off (--whole-pack turns them on)`,
    );
    lines.push(`cli       ${codeCache}`);
    lines.push('');
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    lines.push(`  ${'figure'.padEnd(58)} ${'value'.padStart(11)}`);
    const fig = (name: string, value: string) => lines.push(`  ${name.padEnd(58)} ${value.padStart(11)}`);
    fig('raw tree-sitter parse, fresh process per driver, 1 thread', ms(raw));
    fig('cold scan, fresh process per driver, 1 thread (wall)', ms(cold));
    fig(`  the same, code cache off (with / without ${(cold / uncached).toFixed(3)})`, ms(uncached));
    fig(`cold scan, fresh process per driver, ${String(spare)} parse worker(s) (wall)`, ms(pool));
    fig('warm scan, fresh process, disk cache (wall)', ms(warm));
    fig('bare `node -e 0`, once per driver', ms(bare));
    fig('rules stage / engine total (--stats, 1 thread)', `${(rulesShare * 100).toFixed(1)} %`);
    fig("  bodies parsed on the rules' first read / engine total", `${(bodiesShare * 100).toFixed(1)} %`);
    // Where the rules stage goes: the rules that take most of it, so a missed share names its cause.
    for (const [id, share] of ruleShares(rounds.map((r) => r.byRule)).slice(0, TOP_RULES))
      fig(`  ${id} / rules stage`, `${(share * 100).toFixed(1)} %`);
    fig(`in process: cold scan, ${String(edited)} drivers that map`, ms(sum(coldIn)));
    fig('in process: re-scan after an edit of the mapping file', ms(sum(editIn)));
    fig(
      '  of which (last edit, engine stats): parse / bodies / rules',
      `${ms(editSplit.parse)} / ${ms(editSplit.bodies)} / ${ms(editSplit.rules)}`,
    );
    fig(
      `  a code edit there instead (\`;\`), ${String(statementIn.length)} drivers, / cold ${statementIn.length ? (sum(statementIn) / sum(statementCold)).toFixed(3) : '-'}`,
      ms(sum(statementIn)),
    );
    fig(`peak RSS (largest: ${maxRssDriver})`, `${(maxRssKiB / 1024).toFixed(1)} MiB`);
    const spatchCapped = spatchRuns.filter((r) => r.capped).length;
    const spatchFailures = spatchRuns.filter((r) => r.failed).length;
    const cocci =
      haveSpatch && spatchRuns.length
        ? coccinelleRatios(
            spatchRuns,
            rounds.map((r) => r.cold),
          )
        : undefined;
    if (haveSpatch)
      fig(
        `Coccinelle spatch, once per driver${spatchFailures ? ` (${String(spatchFailures)} exited non-zero)` : ''}${spatchCapped ? ` (${String(spatchCapped)} stopped at the cap: a lower bound)` : ''}`,
        ms(sum(spatchRuns.map((r) => r.ms))),
      );
    if (cocci && (spatchCapped || spatchFailures)) {
      const left = spatchRuns.flatMap((r, i) => (r.capped || r.failed ? [drivers[i]] : []));
      fig(`  every driver, capped at the cap: spatch / cold (a lower bound)`, cocci.lowerBound.toFixed(3));
      lines.push(`    left out of the goal: ${left.join(', ')}`);
    }
    lines.push('');
    lines.push(`  ${'goal'.padEnd(58)} ${'value'.padStart(11)}   ${'target'.padEnd(9)} result`);
    const goal = (name: string, v: number | undefined, op: '<=' | '>=', target: number, why = '') => {
      if (v === undefined) {
        lines.push(
          `  ${name.padEnd(58)} ${'-'.padStart(11)}   ${`${op} ${String(target)}`.padEnd(9)} NOT RUN ${why}`.trimEnd(),
        );
        return;
      }
      const ok = op === '<=' ? v <= target : v >= target;
      lines.push(
        `  ${name.padEnd(58)} ${v.toFixed(3).padStart(11)}   ${`${op} ${String(target)}`.padEnd(9)} ${ok ? 'PASS' : 'MISS'}`,
      );
    };
    goal('cold scan (1 thread) / raw parse', cold / raw, '<=', 1.2);
    goal('cold scan (worker pool) / raw parse', pool / raw, '<=', 0.8);
    goal(
      `Coccinelle / cold scan, the ${cocci ? `${String(cocci.finishedDrivers)} ` : ''}drivers spatch finished`,
      cocci?.finished,
      '>=',
      3,
      haveSpatch ? '(spatch finished no driver)' : '(spatch is not installed: apt-get install coccinelle)',
    );
    goal('rules stage share of the scan', rulesShare, '<=', 0.15);
    goal('edit re-scan / cold scan (in process)', edited ? sum(editIn) / sum(coldIn) : undefined, '<=', 0.1);
    goal('warm CLI / bare node -e 0', warm / bare, '<=', 2.0);
    goal('peak RSS, MiB', maxRssKiB / 1024, '<=', 250);
    goal('budget notices on real drivers', budgetNotices, '<=', 0);
    lines.push('');
    lines.push(
      inconsistent.length
        ? `consistency: findings differ in ${inconsistent.join('; ')}`
        : 'consistency: one thread with and without the code cache, worker pool, warm cache and edited re-scans report the same findings on every driver',
    );
    return { lines, inconsistent };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `--corpus DIR` is usable: a directory. */
export function checkCorpusDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--corpus ${dir}: not a directory`);
}
