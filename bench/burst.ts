/**
 * `npm run bench:burst`: the single process (`npm start`, no REDIS_URL)
 * under a burst of pushes, against a GitHub stand-in on loopback (30 ms per
 * answer). 200 signed webhooks in about 4 s: 50 pull requests over 10
 * repositories and 4 installations, each opened and then pushed to three
 * more times (`synchronize`), the pushes of one round of pull requests after
 * the other's, so most jobs are superseded while they wait or run. Each head
 * is the shared case p02 (one file with a leak), made distinct per push.
 *
 * Printed, with the goals of the operations issue: the time until every
 * pull request's final head has a completed run (≤ 3 minutes), how many
 * final heads have exactly one completed run (all), runs left open a few
 * seconds after that, on any head (0), check run writes per second in all
 * (≥ 3) and the shortest gap between two writes of one installation
 * (about 1 s: at most one a second each), and acknowledgement times.
 * Options: --prs N (default 50), --pushes N (default 4), --repos N (default 10).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberOption } from './options.js';
import { GitHubStandIn } from '../test/support/github.js';
import { sendWebhook, startApp } from '../test/support/app-process.js';
import { repoRoot } from '../test/support/paths.js';
import { pullRequestEvent } from '../test/support/webhooks.js';

const PRS = numberOption('prs', 50);
const PUSHES = numberOption('pushes', 4);
const REPOS = numberOption('repos', 10);
const INSTALLATIONS = 4;
const LATENCY_MS = 30;
const GOAL_SECONDS = 180;
const SETTLE_MS = 5000;

const HEAD = readFileSync(join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'));
const BASE = readFileSync(join(repoRoot, '../shared/cases/p01-goto-ladder-ok/init.c'));

const repoName = (r: number) => `o/burst${String(r)}`;
const shaOf = (pr: number, push: number) => `head-${String(pr)}-${String(push)}`;
const github = new GitHubStandIn({
  latencyMs: LATENCY_MS,
  commitOf: (_repo, sha) =>
    sha.startsWith('head-') ? { 'init.c': Buffer.concat([HEAD, Buffer.from(`\n/* ${sha} */\n`)]) } : undefined,
});
for (let r = 0; r < REPOS; r++)
  github.addRepo(repoName(r), { installation: (r % INSTALLATIONS) + 1, commits: { base: { 'init.c': BASE } } });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const host = await github.start();
const app = await startApp(host, { NDIS_REVIEW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ndis-review-burst-')) });
let failed: boolean;
try {
  const acks: number[] = [];
  const sends: Promise<void>[] = [];
  const started = performance.now();
  for (let push = 0; push < PUSHES; push++)
    for (let pr = 0; pr < PRS; pr++) {
      const repo = pr % REPOS;
      const { payload } = pullRequestEvent(push === 0 ? 'opened' : 'synchronize', {
        installation: (repo % INSTALLATIONS) + 1,
        owner: 'o',
        repo: `burst${String(repo)}`,
        number: pr + 1,
        headSha: shaOf(pr, push),
        baseSha: 'base',
      });
      sends.push(
        sendWebhook(app.url, 'pull_request', payload, `burst-${String(push)}-${String(pr)}`).then(({ status, ms }) => {
          if (status !== 200) throw new Error(`webhook answered ${String(status)}`);
          acks.push(ms);
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
  await Promise.all(sends);
  const sentSeconds = (performance.now() - started) / 1000;
  const finals = Array.from({ length: PRS }, (_, pr) => ({ repo: repoName(pr % REPOS), sha: shaOf(pr, PUSHES - 1) }));
  const completedFinals = () =>
    finals.filter((f) => github.runsOf(f.repo, f.sha).some((r) => r.status === 'completed')).length;
  for (;;) {
    if (completedFinals() === PRS) break;
    if (performance.now() - started > 2 * GOAL_SECONDS * 1000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const done = completedFinals();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const runs = [...github.runs.values()];
  const open = runs.filter((r) => r.status !== 'completed').length;
  const oneEach = finals.filter(
    (f) => github.runsOf(f.repo, f.sha).filter((r) => r.status === 'completed').length === 1,
  ).length;
  const writes = github.writes().sort((a, b) => a.at - b.at);
  const span = writes.length > 1 ? (writes[writes.length - 1].at - writes[0].at) / 1000 : 0;
  const perSecond = span > 0 ? (writes.length - 1) / span : 0;
  let minGap = Infinity;
  const last = new Map<number | undefined, number>();
  for (const w of writes) {
    const prev = last.get(w.installation);
    if (prev !== undefined) minGap = Math.min(minGap, (w.at - prev) / 1000);
    last.set(w.installation, w.at);
  }
  const conclusions = new Map<string, number>();
  for (const f of finals)
    for (const r of github.runsOf(f.repo, f.sha))
      conclusions.set(r.conclusion ?? r.status, (conclusions.get(r.conclusion ?? r.status) ?? 0) + 1);
  console.log(
    `burst: ${String(PRS * PUSHES)} webhooks (${String(PRS)} pull requests × ${String(PUSHES)} pushes, ${String(REPOS)} repositories, ${String(INSTALLATIONS)} installations) sent in ${sentSeconds.toFixed(1)} s; ack p50 ${pct(acks, 50).toFixed(1)} ms, p95 ${pct(acks, 95).toFixed(1)} ms`,
  );
  console.log(
    `  final heads with a completed run: ${String(done)} of ${String(PRS)} after ${seconds.toFixed(1)} s; conclusions of the final heads' runs: ${[...conclusions].map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
  );
  console.log(
    `  runs shown: ${String(runs.length)} for ${String(PRS * PUSHES)} heads; left open ${String(SETTLE_MS / 1000)} s later: ${String(open)}`,
  );
  console.log(
    `  check run writes: ${String(writes.length)} in ${span.toFixed(1)} s, ${perSecond.toFixed(2)} / s in all; shortest gap within one installation ${minGap.toFixed(2)} s`,
  );
  const goals: [string, boolean, string][] = [
    [
      `every final head completed within ${String(GOAL_SECONDS)} s`,
      done === PRS && seconds <= GOAL_SECONDS,
      `${seconds.toFixed(1)} s`,
    ],
    ['every final head exactly one completed run', oneEach === PRS, `${String(oneEach)} of ${String(PRS)}`],
    ['no run left open', open === 0, String(open)],
    ['≥ 3 writes / s in all', perSecond >= 3, perSecond.toFixed(2)],
    // Probot's limiter spaces an installation's writes 1 s apart; a few ms of timer slack is not a second write.
    ['≤ 1 write / s per installation', minGap >= 0.95, `${minGap.toFixed(2)} s`],
  ];
  for (const [what, ok, value] of goals) console.log(`${ok ? '✔' : '✘'} ${what}: ${value}`);
  failed = goals.some(([, ok]) => !ok);
} finally {
  app.child.kill('SIGKILL');
  await github.stop();
}
process.exitCode = failed ? 1 : 0;
