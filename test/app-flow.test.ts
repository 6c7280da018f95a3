/**
 * The app's pull request flow through Probot, with GitHub mocked by nock:
 * the exact requests (check run created at once, one tree listing and the
 * blobs per commit, the check run completed with its annotation, one
 * review on the changed line), and a failure that still completes the run.
 * Deliveries are GitHub's documented example payloads of each event and
 * action, moved to this repository (test/support/webhooks.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import nock from 'nock';
import { createApp } from '../src/app/index.js';
import { repoRoot } from './support/paths.js';
import { testProbot } from './support/probot.js';
import { checkRunEvent, checkSuiteEvent, pullRequestEvent } from './support/webhooks.js';
import { defined } from '../src/util/defined.js';

const cases = join(repoRoot, '../shared/cases');
const HEAD = readFileSync(join(cases, 'p02-goto-wrong-label/init.c'));
const BASE = readFileSync(join(cases, 'p01-goto-ladder-ok/init.c'));

async function setup() {
  // In this thread, and reported in one write however long the analysis takes, so the requests are exact.
  const { app, instance } = createApp({ NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '60000' }, { pool: null });
  const probot = testProbot();
  await probot.load(app);
  return { probot, instance };
}

/** GitHub's example payloads, moved to repository o/r, installation 2, pull request 5 from a fork. */
const where = { installation: 2, owner: 'o', repo: 'r' };
const pr = { ...where, number: 5, headSha: 'headsha', baseSha: 'basesha', fork: true };
const push = (id: string, o: Partial<typeof pr> = {}) => pullRequestEvent('synchronize', { ...pr, ...o, id });

const tree = (sha: string) => ({
  sha,
  tree: [{ path: 'init.c', type: 'blob', sha: `blob-${sha}`, size: 3000 }],
  truncated: false,
});
const PATCH =
  '@@ -60,7 +60,7 @@ AdInitialize(\n     Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter, &Intr,\n                                       &Adapter->Interrupt);\n     if (Status != NDIS_STATUS_SUCCESS)\n-        goto err_unmap_flash;\n+        goto err_unmap_csr; // EXPECT: ndis/unmap-on-failure\n \n     return NDIS_STATUS_SUCCESS;\n \n';

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('a push to a pull request from a fork: check run, annotations, one review comment', async () => {
  const { probot, instance } = await setup();
  const bodies: Record<string, unknown> = {};
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, {
      token: 'installation-token',
      permissions: { checks: 'write', pull_requests: 'write', contents: 'read' },
    })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs', (b) => {
      bodies.complete = b;
      return true;
    })
    .reply(201, { id: 77 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, tree('basesha'))
    .get('/repos/o/r/git/blobs/blob-basesha')
    .reply(200, { content: BASE.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/pulls/5/files')
    .query({ per_page: '100', page: '1' })
    .reply(200, [{ filename: 'init.c', status: 'modified', patch: PATCH }])
    .get('/repos/o/r/pulls/5/comments')
    .query({ per_page: '100', page: '1' })
    .reply(200, [])
    .post('/repos/o/r/pulls/5/reviews', (b) => {
      bodies.review = b;
      return true;
    })
    .reply(200, { id: 9 });

  await probot.receive(push('d1'));
  await instance.queue.idle();

  assert.deepEqual(api.pendingMocks(), []);
  const create = bodies.complete as Record<string, unknown>;
  assert.deepEqual(
    { name: create.name, head_sha: create.head_sha, status: create.status },
    { name: 'ndis-review', head_sha: 'headsha', status: 'completed' },
    'one write: the run is created already completed',
  );
  assert.equal(typeof create.external_id, 'string');
  const complete = bodies.complete as {
    conclusion: string;
    output: {
      title: string;
      summary: string;
      annotations: { path: string; start_line: number; annotation_level: string; title: string }[];
    };
  };
  assert.equal(complete.conclusion, 'failure');
  assert.deepEqual(
    (complete as unknown as { actions: { identifier: string }[] }).actions.map((a) => a.identifier),
    ['rerun'],
  );
  assert.match(complete.output.title, /1 new error/);
  assert.deepEqual(
    complete.output.annotations.map((a) => `${a.path}:${String(a.start_line)} ${a.annotation_level} ${a.title}`),
    ['init.c:63 failure ndis/unmap-on-failure'],
  );
  const review = bodies.review as {
    commit_id: string;
    event: string;
    comments: { path: string; line: number; side: string; body: string }[];
  };
  assert.equal(review.commit_id, 'headsha');
  assert.equal(review.event, 'COMMENT');
  assert.deepEqual(
    review.comments.map((c) => `${c.path}:${String(c.line)}:${c.side}`),
    ['init.c:63:RIGHT'],
  );
  assert.match(review.comments[0].body, /<!-- ndis-review:fingerprint=[0-9a-f]+ -->/);
  const result = defined(instance.results.at(-1));
  // Head listing and blob, pull request files, merge base, base listing and blob, the run created completed,
  // comments, review.
  assert.equal(
    result.requests,
    9,
    "GitHub requests made by the analysis (the token exchange and config reads are Probot's)",
  );
});

test('a GitHub failure during the analysis still gives the head a completed run, with the reason, never passing', async () => {
  const { probot, instance } = await setup();
  let completed: { conclusion: string; output: { title: string; summary: string } } | undefined;
  nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .times(2)
    .reply(404)
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(502, { message: 'Server Error' })
    .post('/repos/o/r/check-runs', (b: NonNullable<typeof completed>) => {
      completed = b;
      return true;
    })
    .reply(201, { id: 78 });
  await probot.receive(push('d2'));
  await instance.queue.idle();
  assert.equal(completed?.conclusion, 'failure');
  assert.match(completed.output.summary, /HTTP 502/);
  assert.doesNotMatch(JSON.stringify(completed), /installation-token/);
});

test('the Re-run button analyses the commit again', async () => {
  const { probot, instance } = await setup();
  let created = 0;
  nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .reply(201, () => {
      created++;
      return { id: 79 };
    })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' });
  await probot.receive(
    checkRunEvent('requested_action', {
      ...where,
      id: 'd3',
      identifier: 'rerun',
      checkRunId: 77,
      name: 'ndis-review',
      headSha: 'headsha',
      appId: 123,
    }),
  );
  await instance.queue.idle();
  assert.equal(created, 1);
  assert.equal(defined(instance.results.at(-1)).conclusion, 'failure');
});

test('a second push that changes one file costs a handful of requests, and reposts nothing', async () => {
  const { probot, instance } = await setup();
  let review: { comments: { body: string }[] } | undefined;
  nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .times(4)
    .reply(404)
    .post('/repos/o/r/check-runs')
    .times(2)
    .reply(201, { id: 80 })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' })
    .get(/\/repos\/o\/r\/compare\/basesha\.\.\.headsha2?$/)
    .query({ per_page: '1' })
    .times(2)
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .times(2)
    .reply(200, tree('basesha'))
    .get('/repos/o/r/git/blobs/blob-basesha')
    .reply(200, { content: BASE.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .times(2)
    .reply(200, [{ filename: 'init.c', status: 'modified', patch: PATCH }])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, [])
    .post('/repos/o/r/pulls/5/reviews', (b: NonNullable<typeof review>) => {
      review = b;
      return true;
    })
    .reply(200, { id: 9 });
  await probot.receive(push('p1'));
  await instance.queue.idle();
  const posted = defined(review, 'review').comments[0].body;

  // The second push: a comment line added to init.c, so a new blob; the base is unchanged.
  const edited = Buffer.concat([Buffer.from('/* reviewed */\n'), HEAD]);
  nock('https://api.github.com')
    .get('/repos/o/r/git/trees/headsha2')
    .query({ recursive: '1' })
    .reply(200, { tree: [{ path: 'init.c', type: 'blob', sha: 'blob-headsha2', size: edited.length }] })
    .get('/repos/o/r/git/blobs/blob-headsha2')
    .reply(200, { content: edited.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, [{ id: 1, body: posted, path: 'init.c', line: 63, user: { type: 'Bot' } }]);
  await probot.receive(push('p2', { headSha: 'headsha2' }));
  await instance.queue.idle();
  const result = defined(instance.results.at(-1));
  // Head listing, the one changed blob, files, merge base, base listing (its blob is cached), the run created
  // completed, comments.
  assert.equal(result.requests, 7);
  assert.equal(result.conclusion, 'failure');
});

/** Mocks for one analysis of `headsha` without a pull request: the run's requests, counted by the caller. */
function pushMocks(
  checkRunId: number,
  completed: (b: { conclusion: string; output: { summary: string } }) => void,
  configReply: [number, unknown] = [404, {}],
) {
  return nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .reply(configReply[0], configReply[1] as never)
    .get(/\/repos\/o\/\.github\/contents\//)
    .optionally()
    .reply(404)
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' })
    .post('/repos/o/r/check-runs', (b: Parameters<typeof completed>[0]) => {
      completed(b);
      return true;
    })
    .reply(201, { id: checkRunId });
}

test('check_suite.requested on a branch push analyses the head commit, without a review', async () => {
  const { probot, instance } = await setup();
  let done: { conclusion: string } | undefined;
  const api = pushMocks(81, (b) => {
    done = b;
  });
  await probot.receive(checkSuiteEvent('requested', { ...where, id: 's1', headSha: 'headsha' }));
  await instance.queue.idle();
  assert.equal(done?.conclusion, 'failure');
  assert.deepEqual(
    api.pendingMocks().filter((m) => !m.includes('.github/contents')),
    [],
  );
  assert.equal(defined(instance.results.at(-1)).requests, 3, 'listing, blob, the run created completed');
});

test('check_run.rerequested analyses the commit again', async () => {
  const { probot, instance } = await setup();
  let done: { conclusion: string } | undefined;
  pushMocks(82, (b) => {
    done = b;
  });
  await probot.receive(
    checkRunEvent('rerequested', {
      ...where,
      id: 'r1',
      checkRunId: 70,
      name: 'ndis-review',
      headSha: 'headsha',
      appId: 123,
    }),
  );
  await instance.queue.idle();
  assert.equal(done?.conclusion, 'failure');
});

test("a .github/ndis-review.yml that is not YAML is explained in the check run (through Probot's loader)", async () => {
  const { probot, instance } = await setup();
  let done: { conclusion: string; output: { summary: string } } | undefined;
  const broken = Buffer.from('report: [new\nrules:\n  ndis/unmap-length: off\n').toString('base64');
  pushMocks(
    83,
    (b) => {
      done = b;
    },
    [
      200,
      { type: 'file', encoding: 'base64', content: broken, name: 'ndis-review.yml', path: '.github/ndis-review.yml' },
    ],
  );
  await probot.receive(checkSuiteEvent('requested', { ...where, id: 'y1', headSha: 'headsha' }));
  await instance.queue.idle();
  assert.match(defined(done, 'done').output.summary, /\.github\/ndis-review\.yml could not be read/);
  assert.equal(defined(done, 'done').conclusion, 'failure', 'the defaults are used, so the finding is still reported');
});

/** Mocks for one analysis of pull request 5 (headsha on basesha) with no changed C lines: the requests are strict. */
function pullMocks(checkRunId: number, created: string[]) {
  return nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(/\/contents\/\.github%2Fndis-review\.yml/)
    .times(2)
    .reply(404)
    .post('/repos/o/r/check-runs', (b: { head_sha: string }) => {
      created.push(b.head_sha);
      return true;
    })
    .reply(201, { id: checkRunId })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, tree('basesha'))
    .get('/repos/o/r/git/blobs/blob-basesha')
    .reply(200, { content: BASE.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [])
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, []);
}

test('a draft pull request is analysed when opened; ready_for_review analyses it unless that head was just analysed', async () => {
  // Opened as a draft: analysed like any pull request (the app does not look at `draft`).
  const first = await setup();
  const created: string[] = [];
  const api = pullMocks(84, created);
  const opened = pullRequestEvent('opened', { ...pr, fork: false, draft: true, id: 'f1' });
  assert.equal((opened.payload as { pull_request: { draft: boolean } }).pull_request.draft, true);
  await first.probot.receive(opened);
  await first.instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.equal(first.instance.results.length, 1, 'one analysis of the draft');
  assert.equal(first.instance.results[0].conclusion, 'failure');

  // Marked ready right after, same head: that head was just analysed, so the delivery adds nothing.
  const unmatched: string[] = [];
  const noMatch = (req: { method?: string; path?: string; url?: string }) => {
    unmatched.push(`${String(req.method)} ${String(req.path ?? req.url)}`);
  };
  nock.emitter.on('no match', noMatch);
  try {
    await first.probot.receive(pullRequestEvent('ready_for_review', { ...pr, fork: false, id: 'f2' }));
    await first.instance.queue.idle();
  } finally {
    nock.emitter.removeListener('no match', noMatch);
  }
  assert.deepEqual(unmatched, [], 'no request to GitHub');
  assert.equal(first.instance.results.length, 1, 'no second analysis of a head analysed moments ago');

  // Marked ready when that analysis is not remembered (later, or after a restart): one analysis.
  const second = await setup();
  const again = pullMocks(85, created);
  await second.probot.receive(pullRequestEvent('ready_for_review', { ...pr, fork: false, id: 'f3' }));
  await second.instance.queue.idle();
  assert.deepEqual(again.pendingMocks(), []);
  assert.equal(second.instance.results.length, 1, 'one analysis when it is ready for review');
  assert.equal(second.instance.results[0].conclusion, 'failure');
  assert.deepEqual(created, ['headsha', 'headsha']);
});

test("the configuration is the base branch's: read at the pull request's base commit, never at its head", async () => {
  const { probot, instance } = await setup();
  // The base turns the finding's rule off; a pull request cannot do that for itself.
  const refs: string[] = [];
  let completed: { conclusion: string; output: { title: string } } | undefined;
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get('/repos/o/r/contents/.github%2Fndis-review.yml')
    .query((q) => {
      refs.push(String(q.ref));
      return true;
    })
    // The raw file, as GitHub answers the loader's raw media type.
    .reply(200, 'rules:\n  ndis/unmap-on-failure: off\n', { 'content-type': 'text/plain; charset=utf-8' })
    .get('/repos/o/r/git/trees/headsha')
    .query({ recursive: '1' })
    .reply(200, tree('headsha'))
    .get('/repos/o/r/git/blobs/blob-headsha')
    .reply(200, { content: HEAD.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/compare/basesha...headsha')
    .query({ per_page: '1' })
    .reply(200, { merge_base_commit: { sha: 'basesha' } })
    .get('/repos/o/r/git/trees/basesha')
    .query({ recursive: '1' })
    .reply(200, tree('basesha'))
    .get('/repos/o/r/git/blobs/blob-basesha')
    .reply(200, { content: BASE.toString('base64'), encoding: 'base64' })
    .get('/repos/o/r/pulls/5/files')
    .query(true)
    .reply(200, [])
    .post('/repos/o/r/check-runs', (b: NonNullable<typeof completed>) => {
      completed = b;
      return true;
    })
    .reply(201, { id: 90 })
    .get('/repos/o/r/pulls/5/comments')
    .query(true)
    .reply(200, []);
  await probot.receive(push('cfg1'));
  await instance.queue.idle();
  assert.deepEqual(api.pendingMocks(), []);
  assert.deepEqual(refs, ['basesha'], 'one read, at the base commit');
  assert.equal(completed?.conclusion, 'success', "the base's configuration applies");
});
