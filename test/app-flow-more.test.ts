/**
 * More of the app's flows through Probot with GitHub mocked by nock, from
 * GitHub's example payloads: annotations past 50 sent as appended updates,
 * a comment whose finding is gone marked resolved, a cold repository read
 * from the tarball (through the redirect to the archive host), and a
 * secondary rate limit waited out by Probot's throttling plugin with the
 * app's handlers, as `npm start` configures it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import nock from 'nock';
import { createApp } from '../src/app/index.js';
import { scan } from '../src/engine/scan.js';
import { RESOLVED_LINE } from '../src/app/review.js';
import { gitBlobSha } from '../src/app/tarball.js';
import { leakyDriver } from './support/drivers.js';
import { repoRoot } from './support/paths.js';
import { testProbot } from './support/probot.js';
import { makeTarGz } from './support/tar.js';
import { checkSuiteEvent, pullRequestEvent } from './support/webhooks.js';
import { defined } from '../src/util/defined.js';

const cases = join(repoRoot, '../shared/cases');
const CLEAN = readFileSync(join(cases, 'p01-goto-ladder-ok/init.c'));
const LEAK = readFileSync(join(cases, 'p02-goto-wrong-label/init.c'));

/** Probot with the app; `throttled` runs Probot's throttling with the app's handlers, as in production. */
async function setup(throttled = false) {
  // In this thread, and reported in one write however long the analysis takes, so the requests are exact.
  const { app, instance } = createApp({ NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '60000' }, { pool: null });
  const probot = testProbot({ throttled });
  await probot.load(app);
  return { probot, instance };
}

const push = (id: string) =>
  pullRequestEvent('synchronize', {
    id,
    installation: 2,
    owner: 'o',
    repo: 'r',
    number: 5,
    headSha: 'headsha',
    baseSha: 'basesha',
    fork: true,
  });
type Files = { path: string; bytes: Buffer }[];
const listing = (files: Files) => ({
  truncated: false,
  tree: files.map((f) => ({
    path: f.path,
    mode: '100644',
    type: 'blob',
    sha: gitBlobSha(f.bytes),
    size: f.bytes.length,
  })),
});
const blob = (b: Buffer) => ({ content: b.toString('base64'), encoding: 'base64' });

/** Every request the analysis made, as "METHOD /path", in order (token and config reads left out). */
function record(scope: nock.Scope): string[] {
  const seen: string[] = [];
  scope.on('request', (req: { method: string; path: string }) => {
    const path = req.path.split('?')[0];
    if (!path.includes('/access_tokens') && !path.includes('/contents/')) seen.push(`${req.method} ${path}`);
  });
  return seen;
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('60 new findings: the completion carries 50 annotations, one appended update the other 10', async () => {
  const { probot, instance } = await setup();
  const head = [{ path: 'init.c', bytes: Buffer.from(leakyDriver(60)) }];
  const base = [{ path: 'init.c', bytes: Buffer.from(leakyDriver(0)) }];
  const patches: { status?: string; output: { title: string; annotations: unknown[] } }[] = [];
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs', (b: (typeof patches)[number]) => {
      patches.push(b);
      return true;
    })
    .reply(201, { id: 7 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, listing(head))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(head[0].bytes)}`)
    .reply(200, blob(head[0].bytes))
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, listing(base))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(base[0].bytes)}`)
    .reply(200, blob(base[0].bytes))
    .patch('/repos/o/r/check-runs/7', (b: (typeof patches)[number]) => {
      patches.push(b);
      return true;
    })
    .reply(200, { id: 7 })
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, []);
  await probot.receive(push('b1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.deepEqual(
    patches.map((p) => [p.status, p.output.annotations.length]),
    [
      ['completed', 50],
      [undefined, 10],
    ],
  );
  assert.equal(patches[1].output.title, patches[0].output.title, 'the update repeats the title and summary');
  assert.match(patches[0].output.title, /60 new errors/);
  assert.equal(defined(instance.results.at(-1)).requests, 9);
});

test('a finding gone from the pull request: its earlier comment is marked resolved, nothing new is posted', async () => {
  const { probot, instance } = await setup();
  const head = [{ path: 'init.c', bytes: CLEAN }];
  const old = {
    id: 44,
    path: 'init.c',
    line: 63,
    user: { type: 'Bot' },
    body: 'Adapter->Flash is still mapped\n\n<!-- ndis-review:fingerprint=0123456789abcdef -->',
  };
  const someoneElse = {
    id: 45,
    path: 'init.c',
    line: 63,
    user: { type: 'User' },
    body: 'I agree <!-- ndis-review:fingerprint=0123456789abcdef -->',
  };
  let edited: { body: string } | undefined;
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .reply(201, { id: 8 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, listing(head))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(CLEAN)}`)
    .reply(200, blob(CLEAN))
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, listing([{ path: 'init.c', bytes: LEAK }]))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(LEAK)}`)
    .reply(200, blob(LEAK))
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [
      {
        filename: 'init.c',
        status: 'modified',
        patch: '@@ -63,1 +63,1 @@\n-        goto err_unmap_csr;\n+        goto err_unmap_flash;\n',
      },
    ])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, [old, someoneElse])
    .patch('/repos/o/r/pulls/comments/44', (b: NonNullable<typeof edited>) => {
      edited = b;
      return true;
    })
    .reply(200, { id: 44 });
  const seen = record(api);
  await probot.receive(push('r1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.ok(defined(edited, 'edited').body.startsWith(RESOLVED_LINE), defined(edited, 'edited').body);
  assert.ok(
    defined(edited, 'edited').body.includes('fingerprint=0123456789abcdef'),
    'the marker stays, so the comment is not edited again',
  );
  assert.deepEqual(
    seen.slice(-3),
    ['POST /repos/o/r/check-runs', 'GET /repos/o/r/pulls/5/comments', 'PATCH /repos/o/r/pulls/comments/44'],
    "no review is posted; the user's comment is left alone",
  );
});

test('a cold repository of 20 files: the listing and one tarball, through the redirect to the archive host', async () => {
  const { probot, instance } = await setup();
  const fillers = Array.from({ length: 19 }, (_, i) => ({
    path: `drivers/nic/part${String(i)}.c`,
    bytes: Buffer.from(`int part${String(i)};\n`),
  }));
  const head: Files = [{ path: 'drivers/nic/init.c', bytes: LEAK }, ...fillers];
  const base: Files = [{ path: 'drivers/nic/init.c', bytes: CLEAN }, ...fillers];
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .reply(201, { id: 9 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, listing(head))
    .get('/repos/o/r/tarball/headsha')
    .reply(302, '', { location: 'https://codeload.github.com/o/r/legacy.tar.gz/headsha?token=short' })
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, listing(base))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(CLEAN)}`)
    .reply(200, blob(CLEAN))
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, []);
  const codeload = nock('https://codeload.github.com', { badheaders: ['authorization'] })
    .get('/o/r/legacy.tar.gz/headsha')
    .query({ token: 'short' })
    .reply(200, makeTarGz(head));
  const seen = record(api);
  await probot.receive(push('t1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.deepEqual(codeload.pendingMocks(), []);
  assert.deepEqual(seen, [
    'GET /repos/o/r/git/trees/headsha',
    'GET /repos/o/r/tarball/headsha',
    'GET /repos/o/r/pulls/5/files',
    'GET /repos/o/r/compare/basesha...headsha',
    'GET /repos/o/r/git/trees/basesha',
    `GET /repos/o/r/git/blobs/${gitBlobSha(CLEAN)}`,
    'POST /repos/o/r/check-runs',
    'GET /repos/o/r/pulls/5/comments',
  ]);
  const result = defined(instance.results.at(-1));
  assert.equal(result.archived, 20);
  assert.equal(result.conclusion, 'failure');
});

test('a secondary rate limit on a read is waited out by the throttling plugin, and the run completes with its findings', async () => {
  const { probot, instance } = await setup(true);
  const head = [{ path: 'init.c', bytes: LEAK }];
  let completed: { conclusion: string } | undefined;
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs', (b: NonNullable<typeof completed>) => {
      completed = b;
      return true;
    })
    .reply(201, { id: 10 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(
      403,
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      { 'retry-after': '1' },
    )
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, listing(head))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(LEAK)}`)
    .reply(200, blob(LEAK))
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, listing([{ path: 'init.c', bytes: CLEAN }]))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(CLEAN)}`)
    .reply(200, blob(CLEAN))
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, []);
  await probot.receive(push('s1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.equal(defined(completed, 'completed').conclusion, 'failure');
});

test("another ndis-review app's comments (staging beside production) neither stop this app's comment nor get edited by it", async () => {
  const { app, instance } = createApp({ APP_ID: '123', NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '60000' }, { pool: null });
  const probot = testProbot();
  await probot.load(app);
  const head = [{ path: 'init.c', bytes: LEAK }];
  const base = [{ path: 'init.c', bytes: CLEAN }];
  const PATCH =
    '@@ -60,7 +60,7 @@ AdInitialize(\n     Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter, &Intr,\n                                       &Adapter->Interrupt);\n     if (Status != NDIS_STATUS_SUCCESS)\n-        goto err_unmap_flash;\n+        goto err_unmap_csr; // EXPECT: ndis/unmap-on-failure\n \n     return NDIS_STATUS_SUCCESS;\n \n';
  let review: { comments: { body: string }[] } | undefined;
  // The staging app has commented the same finding, and another finding since gone.
  const stagingOnFinding = (fp: string) => ({
    id: 60,
    path: 'init.c',
    line: 63,
    user: { type: 'Bot' },
    body: `staging\n\n<!-- ndis-review:app=999 -->\n<!-- ndis-review:fingerprint=${fp} -->`,
  });
  const stagingGone = {
    id: 61,
    path: 'init.c',
    line: 10,
    user: { type: 'Bot' },
    body: 'staging\n\n<!-- ndis-review:app=999 -->\n<!-- ndis-review:fingerprint=0000gone -->',
  };
  const [leak] = (await scan({ root: 'x', files: head, workers: 0 })).findings;
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .reply(201, { id: 11 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, listing(head))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(LEAK)}`)
    .reply(200, blob(LEAK))
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [{ filename: 'init.c', status: 'modified', patch: PATCH }])
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, listing(base))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(CLEAN)}`)
    .reply(200, blob(CLEAN))
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, [stagingOnFinding(leak.fingerprint), stagingGone])
    .post('/repos/o/r/pulls/5/reviews', (b: NonNullable<typeof review>) => {
      review = b;
      return true;
    })
    .reply(200, { id: 12 });
  const seen = record(api);
  await probot.receive(push('a1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.equal(review?.comments.length, 1, 'production posts its own comment');
  assert.match(review.comments[0].body, /<!-- ndis-review:app=123 -->/);
  assert.ok(!seen.some((r) => r.includes('/pulls/comments/')), "the staging app's comments are not edited");
});

test('a push waiting behind another of its installation writes nothing until it runs; one superseded while waiting never shows a run', async () => {
  const { probot, instance } = await setup();
  const head = [{ path: 'init.c', bytes: LEAK }];
  const created: string[] = [];
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 't' })
    .get(/\/contents\//)
    .times(4)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .times(2)
    .reply(201, (_uri, b) => {
      const body = b as { status: string; conclusion: string; head_sha: string };
      created.push(`${body.head_sha} ${body.status} ${body.conclusion}`);
      return { id: created.length };
    })
    .get(/\/git\/trees\/head[AC]$/)
    .query({ recursive: '1' })
    .times(3)
    .reply(200, listing(head))
    .get(`/repos/o/r/git/blobs/${gitBlobSha(LEAK)}`)
    .reply(200, blob(LEAK))
    .get('/repos/o/r/compare/headA...headC')
    .query(true)
    .reply(200, { merge_base_commit: { sha: 'headA' } })
    .get('/repos/o/r/pulls/9/files')
    .query(true)
    .reply(200, [])
    .get('/repos/o/r/pulls/9/comments')
    .query(true)
    .reply(200, []);
  const seen = record(api);
  // A runs; B and then C (a newer push to B's pull request) wait behind it.
  const pull = (id: string, headSha: string) =>
    pullRequestEvent('synchronize', {
      id,
      installation: 2,
      owner: 'o',
      repo: 'r',
      number: 9,
      headSha,
      baseSha: 'headA',
    });
  await probot.receive(
    checkSuiteEvent('requested', { id: 'qa', installation: 2, owner: 'o', repo: 'r', headSha: 'headA' }),
  );
  await probot.receive(pull('qb', 'headB'));
  await probot.receive(pull('qc', 'headC'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.deepEqual(created, ['headA completed failure', 'headC completed neutral']);
  assert.ok(!seen.some((r) => r.includes('headB')), 'nothing of the superseded push reached GitHub');
});
