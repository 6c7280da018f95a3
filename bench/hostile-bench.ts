/**
 * The hostile-input bench: writes every input of bench/hostile.ts at the
 * issues' sizes and at twice those, runs the CLI on each in a fresh process
 * (`scan DIR --format json --no-cache --stats`) and prints, per input, the
 * wall time, the peak RSS, the exit status and whether the report says what
 * the input expects. Goal for every row: done within 10 s and 1 GiB, exit 0
 * or 1, the witness driver's finding still reported, and the expected
 * notices where the analysis stopped.
 *
 * Run: npm run bench:hostile   (builds, then node dist/bench/hostile-bench.js)
 * Options: --sizes full,double (default) · --only NAME[,NAME] · --timeout SECONDS (default 60) · --keep
 *
 * Inputs with unreadable entries are scanned as the unprivileged user
 * `nobody` when the bench runs as root (root reads everything).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOSTILE, judge, sizeFor, unlockInput, writeInput, type HostileInput, type Reported } from './hostile.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = join(repoRoot, 'bin', 'ndis-review.js');
const GOAL_MS = 10_000;
const GOAL_KIB = 1024 * 1024;
const NOBODY = 65534;

interface Run {
  ms: number;
  /** Peak resident set, KiB: the CLI's own figure, else the highest seen while it ran. */
  rssKiB: number | undefined;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  report?: Reported & { complete: boolean };
  stderr: string;
}

/** Peak RSS of a live process from /proc (Linux); undefined elsewhere or once it has exited. */
function procPeakKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function runCli(dir: string, timeoutMs: number, unprivileged: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [cliPath, 'scan', dir, '--format', 'json', '--no-cache', '--stats', '--fail-on', 'never'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NDIS_REVIEW_CACHE: 'off' },
        ...(unprivileged ? { uid: NOBODY, gid: NOBODY } : {}),
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peak: number | undefined;
    let timedOut = false;
    const poll = setInterval(() => {
      const k = child.pid === undefined ? undefined : procPeakKiB(child.pid);
      if (k !== undefined) peak = Math.max(peak ?? 0, k);
    }, 50);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const stderr = Buffer.concat(err).toString('utf8');
      const statsLine = stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      const own = statsLine ? (JSON.parse(statsLine) as { maxRssKiB?: number }).maxRssKiB : undefined;
      let report: Run['report'];
      try {
        report = JSON.parse(Buffer.concat(out).toString('utf8')) as Run['report'];
      } catch {
        report = undefined;
      }
      resolve({ ms, rssKiB: own ?? peak, code, signal, timedOut, report, stderr });
    });
  });
}

function verdict(run: Run, h: HostileInput): { ok: boolean; outcome: string } {
  if (run.timedOut) return { ok: false, outcome: 'killed at the timeout' };
  // 3 is a report written but incomplete (a budget, a skipped file, damage): what several inputs must give.
  const incomplete = run.code === 3 && run.report?.complete === false;
  if (run.code !== 0 && run.code !== 1 && !incomplete) {
    const why = run.stderr.split('\n').find((l) => l.trim()) ?? `signal ${run.signal ?? '?'}`;
    return { ok: false, outcome: `exit ${String(run.code ?? run.signal ?? '?')}: ${why.slice(0, 100)}` };
  }
  if (!run.report) return { ok: false, outcome: 'no JSON report' };
  const problems = judge(run.report, h);
  const kinds = [...new Set(run.report.notices.map((n) => n.kind))].sort().join(',') || 'none';
  const summary = `${String(run.report.findings.length)} finding(s), notices: ${kinds}${run.report.complete ? '' : ' (incomplete)'}`;
  const fast = run.ms <= GOAL_MS && (run.rssKiB === undefined || run.rssKiB <= GOAL_KIB);
  if (problems.length)
    return { ok: false, outcome: `${summary}; ${String(problems.length)} problem(s): ${problems[0]}` };
  return { ok: fast, outcome: summary };
}

/** The input column: as wide as the longest name, and a space. */
const NAME_WIDTH = Math.max(...HOSTILE.map((k) => k.name.length)) + 2;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(argv: string[]): Promise<number> {
  let sizes = ['full', 'double'];
  let only: string[] | undefined;
  let timeoutMs = 60_000;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') sizes = (argv[++i] ?? '').split(',');
    else if (a === '--only') only = (argv[++i] ?? '').split(',');
    else if (a === '--timeout') timeoutMs = Number(argv[++i]) * 1000;
    else if (a === '--keep') keep = true;
    else {
      process.stderr.write(`unknown argument ${a}\n`);
      return 2;
    }
  }
  const root = mkdtempSync(join(os.tmpdir(), 'ndis-hostile-'));
  // An unprivileged scanner must be able to reach the inputs.
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  process.stdout.write(
    `Hostile inputs: goal ≤ ${String(GOAL_MS / 1000)} s and ≤ 1 GiB each, exit 0/1 (3 with the report marked incomplete), expected findings and notices (timeout ${String(timeoutMs / 1000)} s)\n\n`,
  );
  process.stdout.write(
    `${pad('input', NAME_WIDTH)}${pad('issue', 6)}${pad('size', 8)}${pad('time', 10)}${pad('peak RSS', 11)}${pad('', 6)}outcome\n`,
  );
  let misses = 0;
  try {
    for (const kind of HOSTILE) {
      if (only && !only.includes(kind.name)) continue;
      for (const size of sizes) {
        const n = sizeFor(kind, size);
        const dir = join(root, `${kind.name}-${size}`);
        const h = kind.make(n);
        writeInput(dir, h);
        const run = await runCli(dir, timeoutMs, asRoot && kind.needsUnprivileged === true);
        const v = verdict(run, h);
        if (!v.ok) misses++;
        const rss = run.rssKiB === undefined ? '—' : `${(run.rssKiB / 1024).toFixed(0)} MiB`;
        process.stdout.write(
          `${pad(kind.name, NAME_WIDTH)}${pad(kind.issue === undefined ? '—' : String(kind.issue), 6)}${pad(String(n), 8)}${pad(`${(run.ms / 1000).toFixed(2)} s`, 10)}${pad(rss, 11)}${pad(v.ok ? 'PASS' : 'MISS', 6)}${v.outcome}\n`,
        );
        if (!keep) {
          unlockInput(dir, h);
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
  process.stdout.write(`\n${misses === 0 ? 'every input met its goal' : `${String(misses)} run(s) missed a goal`}\n`);
  return misses === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
