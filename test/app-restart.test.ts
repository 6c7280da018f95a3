/**
 * kill -9 in the middle of 8 analyses, then a restart: every head whose
 * webhook was answered gets exactly one completed run, and none is left
 * open. At the kill, three runs are in progress, one create is in flight
 * (GitHub made the run, the answer never came back), and four jobs wait for
 * their turn. The app runs as `npm start` runs it, against a stand-in for
 * GitHub on loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GitHubStandIn } from './support/github.js';
import { sendWebhook, startApp, until, type AppProcess } from './support/app-process.js';
import { repoRoot } from './support/paths.js';
import { pullRequestEvent } from './support/webhooks.js';

const OK = readFileSync(join(repoRoot, '../shared/cases/p01-goto-ladder-ok/init.c'));
const LEAK = readFileSync(join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'));

const heads = Array.from({ length: 8 }, (_, i) => ({
  repo: `r${String(i % 4)}`,
  installation: (i % 4) + 1,
  number: i + 1,
  head: `head${String(i)}`,
}));
const stalled = new Set(heads.map((h) => h.head));
let held = 0;
const github = new GitHubStandIn({
  stallTrees: stalled,
  // The create of installation 4's first analysis is made but never answered: in flight at the kill.
  holdCreate: (body) => stalled.has(String(body.head_sha)) && body.head_sha === 'head3' && ++held === 1,
});
for (let r = 0; r < 4; r++) {
  const commits: Record<string, Record<string, Buffer>> = { base: { 'init.c': OK } };
  for (const h of heads.filter((x) => x.repo === `r${String(r)}`)) commits[h.head] = { 'init.c': LEAK };
  github.addRepo(`o/r${String(r)}`, { installation: r + 1, commits });
}
const stateDir = mkdtempSync(join(tmpdir(), 'ndis-review-restart-'));
const env = { NDIS_REVIEW_STATE_DIR: stateDir, NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '100', SHUTDOWN_GRACE_S: '1' };
let app: AppProcess | undefined;

after(async () => {
  app?.child.kill('SIGKILL');
  await github.stop();
});

test('kill -9 during 8 analyses (3 in progress, 1 create in flight, 4 waiting), restart: 8 heads, 8 completed runs, none open', async () => {
  const host = await github.start();
  app = await startApp(host, env);
  for (const h of heads) {
    const { payload } = pullRequestEvent('synchronize', {
      installation: h.installation,
      owner: 'o',
      repo: h.repo,
      number: h.number,
      headSha: h.head,
      baseSha: 'base',
    });
    const { status } = await sendWebhook(app.url, 'pull_request', payload, `d-${h.head}`);
    assert.equal(status, 200);
  }
  // The first job of each installation runs and, its reads stalled, shows its run (installation 4's create hangs).
  assert.ok(
    await until(() => github.runs.size === 4, 15_000),
    `runs made before the kill: ${JSON.stringify([...github.runs.values()])}\n${app.log()}`,
  );
  await new Promise((r) => setTimeout(r, 200));
  app.child.kill('SIGKILL');
  await app.exited;
  const before = [...github.runs.values()];
  assert.deepEqual(
    before.map((r) => r.status),
    ['in_progress', 'in_progress', 'in_progress', 'in_progress'],
  );
  const recorded = JSON.parse(readFileSync(join(stateDir, 'jobs.json'), 'utf8')) as { checkRunId?: number }[];
  assert.equal(recorded.length, 8, 'all 8 acknowledged jobs were on disk at the kill');
  assert.equal(
    recorded.filter((j) => j.checkRunId !== undefined).length,
    3,
    'three with their run, one create in flight',
  );

  // GitHub answers again; the app starts again on the same state folder.
  stalled.clear();
  app = await startApp(host, env);
  const allDone = () =>
    heads.every((h) => {
      const runs = github.runsOf(`o/${h.repo}`, h.head);
      return runs.length === 1 && runs[0].status === 'completed';
    });
  assert.ok(
    await until(allDone, 60_000),
    `runs: ${JSON.stringify([...github.runs.values()].map((r) => [r.repo, r.head_sha, r.status]))}\n${app.log()}`,
  );
  for (const h of heads) {
    const [run] = github.runsOf(`o/${h.repo}`, h.head);
    assert.equal(run.conclusion, 'failure', `${h.repo}@${h.head}: the leak is found`);
  }
  assert.equal(github.runs.size, 8, 'no second run for any head');
  assert.ok(
    await until(() => (JSON.parse(readFileSync(join(stateDir, 'jobs.json'), 'utf8')) as unknown[]).length === 0, 5000),
  );
});
