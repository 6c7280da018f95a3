/**
 * The app's Octokit, through Probot's own plugins and installation clients:
 * secondary and primary rate limits are waited out when the wait is short and
 * fail at once when it is not. (Write spacing per installation is measured
 * in app-limiter.test.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import nock from 'nock';
import { testProbot } from './support/probot.js';
import { MAX_RATE_LIMIT_WAIT_S, RATE_LIMIT_RETRIES, shouldRetryRateLimit } from '../src/app/octokit.js';

const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
};

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** Probot as `npm start` builds it (AppOctokit, throttling on), without the 5xx retry plugin's back-off. */
function probot() {
  return testProbot({ throttled: true });
}
const token = (api: nock.Scope, installation: number) =>
  api
    .post(`/app/installations/${String(installation)}/access_tokens`)
    .reply(200, { token: `t${String(installation)}` });

test('retry decision: short waits a bounded number of times, never a long wait', () => {
  assert.equal(shouldRetryRateLimit(1, 0), true);
  assert.equal(shouldRetryRateLimit(MAX_RATE_LIMIT_WAIT_S, RATE_LIMIT_RETRIES - 1), true);
  assert.equal(shouldRetryRateLimit(MAX_RATE_LIMIT_WAIT_S + 1, 0), false);
  assert.equal(shouldRetryRateLimit(1, RATE_LIMIT_RETRIES), false);
  assert.equal(shouldRetryRateLimit(Number.NaN, 0), false);
});

test('a secondary rate limit with retry-after is waited out by the throttling plugin and the request repeated', async () => {
  const api = nock('https://api.github.com');
  token(api, 2);
  api
    .get('/repos/o/r/git/trees/h')
    .reply(403, SECONDARY, { 'retry-after': '1' })
    .get('/repos/o/r/git/trees/h')
    .reply(200, { sha: 'h', tree: [], truncated: false });
  const octokit = await probot().auth(2);
  const res = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
    owner: 'o',
    repo: 'r',
    tree_sha: 'h',
  });
  assert.equal(res.status, 200);
  assert.deepEqual(api.pendingMocks(), []);
});

test('a secondary rate limit that asks for a long wait fails at once, for the run to say so', async () => {
  const api = nock('https://api.github.com');
  token(api, 2);
  api.get('/repos/o/r/git/trees/h').reply(403, SECONDARY, { 'retry-after': String(MAX_RATE_LIMIT_WAIT_S * 10) });
  const octokit = await probot().auth(2);
  const started = process.hrtime.bigint();
  await assert.rejects(
    octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner: 'o', repo: 'r', tree_sha: 'h' }),
    (err: { status?: number }) => err.status === 403,
  );
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5_000, 'not waited');
  assert.deepEqual(api.pendingMocks(), []);
});

test('a primary rate limit resetting in an hour fails at once instead of holding the analysis', async () => {
  const api = nock('https://api.github.com');
  token(api, 2);
  const reset = String(Math.floor(Date.now() / 1000) + 3600);
  api
    .get('/repos/o/r/git/trees/h')
    .reply(
      403,
      { message: 'API rate limit exceeded for installation.' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
    );
  const octokit = await probot().auth(2);
  await assert.rejects(
    octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner: 'o', repo: 'r', tree_sha: 'h' }),
    (err: { status?: number }) => err.status === 403,
  );
  assert.deepEqual(api.pendingMocks(), []);
});

// Write spacing per installation is measured with real timers over HTTP in test/app-limiter.test.ts.
