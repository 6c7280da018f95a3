/**
 * Runs in flight survive a crash: the list on disk, and a new process
 * completing what an earlier one left in progress (through Probot, GitHub
 * mocked by nock).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import nock from 'nock';
import { createApp } from '../src/app/index.js';
import { INTERRUPTED_OUTPUT } from '../src/app/recovery.js';
import { InflightRuns } from '../src/app/inflight.js';
import { testProbot } from './support/probot.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'ndis-review-state-'));
const listed = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'inflight-check-runs.json'), 'utf8')) as { checkRunId: number }[];
const run = (checkRunId: number, installation = 2) => ({ installation, owner: 'o', repo: 'r', checkRunId });

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('runs are listed on disk while in flight, and a new process sees what the last one left', () => {
  const dir = fresh();
  const a = new InflightRuns(dir);
  assert.deepEqual(a.leftBehind, []);
  a.add(run(1));
  a.add(run(2));
  a.remove(1);
  assert.deepEqual(
    listed(dir).map((r) => r.checkRunId),
    [2],
  );
  const b = new InflightRuns(dir);
  assert.deepEqual(b.leftBehind, [run(2)]);
  assert.equal(b.problem, undefined);
});

test('a damaged or unwritable list is reported, never a crash; without a directory the list is only in memory', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'inflight-check-runs.json'), '[{"installation": 2, "own');
  const damaged = new InflightRuns(dir);
  assert.deepEqual(damaged.leftBehind, []);
  assert.match(damaged.problem ?? '', /could not read .*inflight-check-runs\.json/);
  const entries = JSON.stringify([run(5), { junk: true }]);
  writeFileSync(join(dir, 'inflight-check-runs.json'), entries);
  assert.deepEqual(new InflightRuns(dir).leftBehind, [run(5)], 'malformed entries are left out');
  const memory = new InflightRuns();
  memory.add(run(7));
  assert.equal(memory.size, 1);
  // A list that cannot be replaced (its name taken by a folder with something in it): reported on write.
  const blocked = fresh();
  mkdirSync(join(blocked, 'inflight-check-runs.json', 'x'), { recursive: true });
  const r = new InflightRuns(blocked);
  assert.match(r.problem ?? '', /could not read/);
  r.add(run(8));
  assert.match(r.problem ?? '', /could not write/);
  assert.equal(r.size, 1, 'still kept in memory');
});

test('on start, runs an earlier process left in progress are completed as interrupted; an uninstalled one is dropped', async () => {
  const dir = fresh();
  writeFileSync(join(dir, 'inflight-check-runs.json'), JSON.stringify([run(41), run(42, 3)]));
  let completed: { status: string; conclusion: string; output: { title: string } } | undefined;
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .patch('/repos/o/r/check-runs/41', (b) => {
      completed = b;
      return true;
    })
    .reply(200, {})
    .post('/app/installations/3/access_tokens')
    .reply(404, { message: 'Not Found' });
  const { app, instance } = createApp({ NDIS_REVIEW_STATE_DIR: dir });
  await testProbot().load(app);
  for (let i = 0; i < 100 && instance.inflight.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(api.pendingMocks(), []);
  assert.equal(completed?.status, 'completed');
  assert.equal(completed?.conclusion, 'neutral');
  assert.equal(completed?.output.title, INTERRUPTED_OUTPUT.title);
  assert.deepEqual(listed(dir), []);
});
