/**
 * `npm run bench:load`: the fleet under a burst, against a GitHub stand-in
 * on loopback (30 ms per answer). 200 signed webhooks (20 repositories × 10
 * pull requests, 4 installations) in about 4 s, to a receiver (`npm start`
 * with REDIS_URL) and 1, then 2, worker processes (`npm run worker`, one
 * analysis thread each, 2 jobs in hand), on a real redis-server. Each head is a driver of
 * 408 files (two bench corpora, every file changed from its base), so the
 * analysis, not GitHub's write spacing, is the bound: each run is one write
 * (created completed), and 4 installations allow 4 writes a second.
 *
 * Printed: acknowledgement times (p50, p95, max), the time until every head
 * has its completed run, throughput, each process's CPU use and peak RSS,
 * the runs' conclusions (a run stopped by a time or memory limit says so)
 * and which bound the round hit; then a third round with 2 workers where one is killed with
 * SIGKILL mid-burst: every head must still get exactly one completed run.
 *
 * Goals (docs/operations.md): 2 workers ≥ 1.6 × the throughput of 1;
 * p95 ack ≤ 50 ms; every head one completed run; the kill round completes.
 * Options: --repos N --prs N (default 20 × 10), --scale N (corpora per head, default 2),
 * --minutes N (longest a round may take, default 15).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { generateCorpus } from './corpus.js';
import { numberOption } from './options.js';
import { GitHubStandIn } from '../test/support/github.js';
import { sendWebhook, startApp, type AppProcess } from '../test/support/app-process.js';
import { startRedis, type RedisServer } from '../test/support/redis.js';
import { pullRequestEvent } from '../test/support/webhooks.js';

const REPOS = numberOption('repos', 20);
const PRS = numberOption('prs', 10);
const SCALE = numberOption('scale', 2);
/** Longest a round may take before the bench stops. */
const MINUTES = numberOption('minutes', 15);
const INSTALLATIONS = 4;
const LATENCY_MS = 30;

/** The base driver: SCALE bench corpora side by side. */
const base: Record<string, Buffer> = {};
for (let c = 0; c < SCALE; c++)
  for (const f of generateCorpus(c + 1).files) base[`c${String(c)}/${f.path}`] = Buffer.from(f.text, f.encoding);
const baseBytes = Object.values(base).reduce((n, b) => n + b.length, 0);
/** A head: every file of the base with a line of its own, so nothing of it is cached anywhere. */
function head(sha: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const mark = Buffer.from(`\n/* ${sha} */\n`);
  for (const [p, b] of Object.entries(base)) out[p] = Buffer.concat([b, mark]);
  return out;
}
const github = new GitHubStandIn({
  latencyMs: LATENCY_MS,
  commitOf: (_repo, sha) => (sha.startsWith('head-') ? head(sha) : undefined),
});
const repoName = (r: number) => `o/repo${String(r)}`;
for (let r = 0; r < REPOS; r++)
  github.addRepo(repoName(r), { installation: (r % INSTALLATIONS) + 1, commits: { base } });

interface Head {
  repo: number;
  number: number;
  sha: string;
}
function heads(round: string): Head[] {
  const out: Head[] = [];
  for (let p = 0; p < PRS; p++)
    for (let r = 0; r < REPOS; r++)
      out.push({ repo: r, number: p + 1, sha: `head-${round}-${String(r)}-${String(p)}` });
  return out;
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Peak resident memory of a process so far (MiB), from /proc (VmHWM); 0 when it is gone. */
function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Round {
  workers: number;
  ackP50: number;
  ackP95: number;
  ackMax: number;
  seconds: number;
  perSecond: number;
  oneRunEach: boolean;
  cpu: { name: string; seconds: number; share: number }[];
  /** Peak RSS of each app process (MiB); a killed worker's is read just before the kill. */
  peakRss: { name: string; mib: number }[];
  /** Runs not completed when the round ended. */
  open: number;
  /** Completed runs by conclusion, and by title when they failed (a limit hit says which). */
  conclusions: Map<string, number>;
  writesPerSecond: number;
}

async function round(name: string, redis: RedisServer, workers: number, killOne = false): Promise<Round> {
  github.reset();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const list = heads(name);
  process.stdout.write(`[${name}] preparing ${String(list.length)} heads of ${(baseBytes / 1e6).toFixed(1)} MB ... `);
  for (const h of list) github.prepare(repoName(h.repo), h.sha);
  console.log('done');
  const env = {
    REDIS_URL: redis.url,
    NDIS_REVIEW_ANALYSIS_THREADS: '1',
    // One write per run however long the analysis: the bench measures the analysis, not the write spacing.
    NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '60000',
    NDIS_REVIEW_JOB_LOCK_S: '10',
    // Jobs in hand per worker: the default (2), as `npm run worker` runs. One analyses while the other
    // fetches its sources, which takes far less than an analysis. More in hand can leave jobs
    // waiting in one worker at the end of a burst while the other has nothing (with 4, one round
    // measured the two workers busy 101 % and 83 % of the round).
  };
  const host = `127.0.0.1:${String(github.port)}`;
  const procs: { name: string; p: AppProcess }[] = [{ name: 'receiver', p: await startApp(host, env) }];
  for (let w = 0; w < workers; w++)
    procs.push({ name: `worker ${String(w + 1)}`, p: await startApp(host, env, 'dist/src/app/worker.js') });
  await new Promise((r) => setTimeout(r, 1500)); // the workers' analysis threads load tree-sitter
  const cpu0 = procs.map((x) => cpuSeconds(x.p.child.pid));
  const redis0 = cpuSeconds(redis.pid);
  const self0 = process.cpuUsage();
  const started = performance.now();
  const acks: number[] = [];
  // One webhook every 20 ms (200 in about 4 s), not waiting for answers in between: a smaller
  // --repos/--prs sends fewer at the same rate.
  const sends: Promise<void>[] = [];
  for (const [i, h] of list.entries()) {
    const { payload } = pullRequestEvent('opened', {
      installation: (h.repo % INSTALLATIONS) + 1,
      owner: 'o',
      repo: `repo${String(h.repo)}`,
      number: h.number,
      headSha: h.sha,
      baseSha: 'base',
    });
    sends.push(
      sendWebhook(procs[0].p.url, 'pull_request', payload, `${name}-${String(i)}`).then(({ status, ms }) => {
        if (status !== 200) throw new Error(`webhook answered ${String(status)}`);
        acks.push(ms);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(sends);
  const completed = () =>
    list.filter((h) => github.runsOf(repoName(h.repo), h.sha).some((r) => r.status === 'completed')).length;
  let killed = false;
  const peaks = new Map<string, number>();
  for (;;) {
    const done = completed();
    if (killOne && !killed && done >= list.length * 0.3) {
      peaks.set(procs[1].name, peakRssMiB(procs[1].p.child.pid));
      procs[1].p.child.kill('SIGKILL');
      killed = true;
      console.log(
        `[${name}] killed ${procs[1].name} (SIGKILL) with ${String(done)} of ${String(list.length)} runs completed`,
      );
    }
    if (done === list.length) break;
    if (performance.now() - started > MINUTES * 60_000) {
      // Stopping the bench stops the app's processes too: none is left running.
      for (const x of procs) x.p.child.kill('SIGKILL');
      throw new Error(`[${name}] ${String(done)} of ${String(list.length)} after ${String(MINUTES)} min`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = procs.map((x, i) => {
    // A process killed mid-round has no /proc entry left: its CPU is not known.
    const s = Math.max(0, cpuSeconds(x.p.child.pid) - cpu0[i]);
    return {
      name: x.p.child.signalCode === null ? x.name : `${x.name} (killed)`,
      seconds: s,
      share: s / seconds,
    };
  });
  const redisCpu = cpuSeconds(redis.pid) - redis0;
  const self = process.cpuUsage(self0);
  const selfCpu = (self.user + self.system) / 1e6;
  cpu.push({ name: 'redis-server', seconds: redisCpu, share: redisCpu / seconds });
  cpu.push({ name: 'bench and stand-in', seconds: selfCpu, share: selfCpu / seconds });
  const oneRunEach = list.every((h) => {
    const runs = github.runsOf(repoName(h.repo), h.sha);
    return runs.length === 1 && runs[0].status === 'completed';
  });
  const open = [...github.runs.values()].filter((r) => r.status !== 'completed').length;
  const conclusions = new Map<string, number>();
  for (const r of github.runs.values()) {
    if (r.status !== 'completed') continue;
    const what = r.conclusion === 'failure' ? `failure (${r.output?.title ?? ''})` : (r.conclusion ?? 'none');
    conclusions.set(what, (conclusions.get(what) ?? 0) + 1);
  }
  const peakRss = procs.map((x) => ({
    name: x.p.child.signalCode === null ? x.name : `${x.name} (killed)`,
    mib: peaks.get(x.name) ?? peakRssMiB(x.p.child.pid),
  }));
  for (const x of procs) x.p.child.kill('SIGKILL');
  await Promise.all(procs.map((x) => x.p.exited));
  const writes = github.writes().length;
  return {
    workers,
    ackP50: pct(acks, 50),
    ackP95: pct(acks, 95),
    ackMax: Math.max(...acks),
    seconds,
    perSecond: list.length / seconds,
    oneRunEach: oneRunEach && open === 0,
    cpu,
    peakRss,
    open,
    conclusions,
    writesPerSecond: writes / seconds,
  };
}

function report(name: string, r: Round): void {
  const bound =
    r.writesPerSecond > INSTALLATIONS * 0.8
      ? `GitHub's write spacing (${r.writesPerSecond.toFixed(2)} of ${String(INSTALLATIONS)} writes/s)`
      : `the analysis (workers busy ${r.cpu
          .filter((c) => c.name.startsWith('worker'))
          .map((c) => `${(c.share * 100).toFixed(0)}%`)
          .join(', ')} of a core; ${r.writesPerSecond.toFixed(2)} of ${String(INSTALLATIONS)} writes/s used)`;
  console.log(
    `[${name}] ${String(r.workers)} worker(s): every head's run completed in ${r.seconds.toFixed(1)} s, ` +
      `${r.perSecond.toFixed(2)} analyses/s; ack p50 ${r.ackP50.toFixed(1)} ms, p95 ${r.ackP95.toFixed(1)} ms, max ${r.ackMax.toFixed(1)} ms; ` +
      `exactly one completed run per head: ${r.oneRunEach ? 'yes' : 'NO'}; runs left open: ${String(r.open)}`,
  );
  console.log(`[${name}]   conclusions: ${[...r.conclusions].map(([c, n]) => `${c} ${String(n)}`).join(', ')}`);
  console.log(`[${name}]   peak RSS: ${r.peakRss.map((p) => `${p.name} ${p.mib.toFixed(0)} MiB`).join(', ')}`);
  console.log(
    `[${name}]   CPU: ${r.cpu.map((c) => `${c.name} ${c.seconds.toFixed(1)} s (${(c.share * 100).toFixed(0)}%)`).join(', ')}`,
  );
  console.log(`[${name}]   bound: ${bound}`);
}

async function main(): Promise<void> {
  const redis = await startRedis();
  await github.start();
  console.log(
    `load bench: ${String(REPOS * PRS)} webhooks, ${String(REPOS)} repositories, ${String(INSTALLATIONS)} installations, heads of ${String(Object.keys(base).length)} files ` +
      `(${(baseBytes / 1e6).toFixed(1)} MB), stand-in latency ${String(LATENCY_MS)} ms, Node ${process.version}`,
  );
  try {
    const one = await round('one', redis, 1);
    report('one', one);
    const two = await round('two', redis, 2);
    report('two', two);
    const kill = await round('kill', redis, 2, true);
    report('kill', kill);
    const ratio = two.perSecond / one.perSecond;
    const p95 = Math.max(one.ackP95, two.ackP95, kill.ackP95);
    const checks = [
      [`2 workers / 1 worker throughput ${ratio.toFixed(2)}x`, ratio >= 1.6, '≥ 1.6x'],
      [`p95 acknowledgement ${p95.toFixed(1)} ms`, p95 <= 50, '≤ 50 ms'],
      ['every head one completed run', one.oneRunEach && two.oneRunEach, 'yes'],
      ['kill -9 of a worker mid-burst: every head one completed run', kill.oneRunEach, 'yes'],
    ] as const;
    for (const [what, ok, goal] of checks) console.log(`${ok ? '✔' : '✘'} ${what} (goal ${goal})`);
    process.exitCode = checks.every((c) => c[1]) ? 0 : 1;
  } finally {
    await github.stop();
    await redis.stop();
  }
}

await main();
