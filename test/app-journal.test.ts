/**
 * The job journal: jobs are on disk from before their webhook is answered
 * until their run is completed, a new process sees what the last one left,
 * and runs an earlier version listed are completed as interrupted.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import nock from 'nock';
import { createApp } from '../src/app/index.js';
import { INTERRUPTED_OUTPUT } from '../src/app/recovery.js';
import { JobJournal, type JobRecord } from '../src/app/inflight.js';
import { testProbot } from './support/probot.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'ndis-review-state-'));
const listed = (dir: string) => JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')) as JobRecord[];
const job = (id: string, installation = 2): JobRecord => ({
  id,
  installation,
  target: { owner: 'o', repo: 'r', headSha: `sha-${id}`, baseSha: 'base', pullNumber: 1 },
});
const run = (checkRunId: number, installation = 2) => ({ installation, owner: 'o', repo: 'r', checkRunId });

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('jobs are on disk until forgotten, with their run once it exists; a new process sees what the last one left', () => {
  const dir = fresh();
  const a = new JobJournal(dir);
  assert.deepEqual(a.leftBehind, []);
  a.record(job('1'));
  a.record(job('2'));
  a.attach('2', 77);
  a.forget('1');
  assert.deepEqual(listed(dir), [{ ...job('2'), checkRunId: 77 }]);
  const b = new JobJournal(dir);
  assert.deepEqual(b.leftBehind, [{ ...job('2'), checkRunId: 77 }]);
  assert.equal(b.problem, undefined);
});

test('a damaged or unwritable journal is reported, never a crash; without a directory it is only in memory', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'jobs.json'), '[{"id": "2", "own');
  const damaged = new JobJournal(dir);
  assert.deepEqual(damaged.leftBehind, []);
  assert.match(damaged.problem ?? '', /could not read .*jobs\.json/);
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify([job('5'), { junk: true }, { ...job('6'), checkRunId: 'x' }]));
  assert.deepEqual(new JobJournal(dir).leftBehind, [job('5')], 'malformed entries are left out');
  const memory = new JobJournal();
  memory.record(job('7'));
  assert.equal(memory.size, 1);
  // A journal that cannot be replaced (its name taken by a folder with something in it): reported on write.
  const blocked = fresh();
  mkdirSync(join(blocked, 'jobs.json', 'x'), { recursive: true });
  const r = new JobJournal(blocked);
  assert.match(r.problem ?? '', /could not read/);
  r.record(job('8'));
  assert.match(r.problem ?? '', /could not write/);
  assert.equal(r.size, 1, 'still kept in memory');
});

test('on start, runs an earlier version listed in progress are completed as interrupted (cancelled, never passing); an uninstalled one is given up', async () => {
  const dir = fresh();
  writeFileSync(join(dir, 'inflight-check-runs.json'), JSON.stringify([run(41), run(42, 3)]));
  let completed: { status: string; conclusion: string; output: { title: string } } | undefined;
  // The two installations are recovered side by side: wait for both answers, in whichever order
  // they come (waiting for the second installation's alone left the first one's PATCH racing it).
  let patched: () => void = () => undefined;
  let givenUp: () => void = () => undefined;
  const done = Promise.all([
    new Promise<void>((resolve) => (patched = resolve)),
    new Promise<void>((resolve) => (givenUp = resolve)),
  ]);
  nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .patch('/repos/o/r/check-runs/41', (b: NonNullable<typeof completed>) => {
      completed = b;
      return true;
    })
    .reply(() => {
      patched();
      return [200, {}];
    })
    .post('/app/installations/3/access_tokens')
    .reply(() => {
      givenUp();
      return [404, { message: 'Not Found' }];
    });
  const { app } = createApp({ NDIS_REVIEW_STATE_DIR: dir }, { pool: null });
  await testProbot().load(app);
  // Bounded: a recovery that never sends the PATCH fails the assertions below instead of hanging.
  const timer = new AbortController();
  await Promise.race([done, delay(10_000, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
  assert.equal(completed?.status, 'completed');
  assert.equal(completed.conclusion, 'cancelled');
  assert.equal(completed.output.title, INTERRUPTED_OUTPUT.title);
  assert.equal(existsSync(join(dir, 'inflight-check-runs.json')), false, 'the old list is read once');
});
