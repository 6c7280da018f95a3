/**
 * `npm run bench:latency`: webhook to completed check run, on loopback, for
 * a small driver (the shared case p02, one file), with the app as `npm
 * start` runs it (one process, the analysis pool) and a GitHub stand-in
 * answering at once. 20 pull requests, one after another, after 2 not
 * counted (the first analyses load the parser in the pool's thread); prints
 * each, the median and the slowest, and whether each run took one write.
 * Goal (issue 9): median ≤ 300 ms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { GitHubStandIn } from '../test/support/github.js';
import { sendWebhook, startApp } from '../test/support/app-process.js';
import { repoRoot } from '../test/support/paths.js';
import { pullRequestEvent } from '../test/support/webhooks.js';

const N = 20;
const WARM = 2;
const HEAD = readFileSync(join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'));
const BASE = readFileSync(join(repoRoot, '../shared/cases/p01-goto-ladder-ok/init.c'));

const github = new GitHubStandIn();
const commits: Record<string, Record<string, Buffer>> = { base: { 'init.c': BASE } };
for (let i = 0; i < N + WARM; i++)
  commits[`head${String(i)}`] = { 'init.c': Buffer.concat([HEAD, Buffer.from(`\n/* ${String(i)} */\n`)]) };
github.addRepo('o/r', { installation: 2, commits });

const host = await github.start();
const app = await startApp(host, { NDIS_REVIEW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ndis-review-latency-')) });
const times: number[] = [];
let oneWrite = 0;
try {
  for (let i = 0; i < N + WARM; i++) {
    const { payload } = pullRequestEvent('opened', {
      installation: 2,
      owner: 'o',
      repo: 'r',
      number: i + 1,
      headSha: `head${String(i)}`,
      baseSha: 'base',
    });
    const sent = performance.now();
    await sendWebhook(app.url, 'pull_request', payload, `latency-${String(i)}`);
    while (!github.runsOf('o/r', `head${String(i)}`).some((r) => r.status === 'completed'))
      await new Promise((r) => setImmediate(r));
    const ms = performance.now() - sent;
    const [run] = github.runsOf('o/r', `head${String(i)}`);
    if (i >= WARM) {
      times.push(ms);
      if (run.writes === 1) oneWrite++;
    }
    console.log(
      `${i < WARM ? 'warm-up' : `#${String(i - WARM + 1)}`}: completed ${ms.toFixed(0)} ms after the webhook, ${String(run.writes)} write(s)`,
    );
    // Probot spaces an installation's writes 1 s apart: the next push comes after that, as pushes do.
    await new Promise((r) => setTimeout(r, 1100));
  }
} finally {
  app.child.kill('SIGKILL');
  await github.stop();
}
const sorted = [...times].sort((a, b) => a - b);
const median = (sorted[N / 2 - 1] + sorted[N / 2]) / 2;
console.log(
  `webhook → completed check run, ${String(N)} runs: median ${median.toFixed(0)} ms, fastest ${sorted[0].toFixed(0)} ms, slowest ${sorted[N - 1].toFixed(0)} ms; ` +
    `${String(oneWrite)} of ${String(N)} in one write; goal median ≤ 300 ms: ${median <= 300 ? '✔' : '✘'}`,
);
process.exitCode = median <= 300 ? 0 : 1;
