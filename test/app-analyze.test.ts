/** One analysis job against a recording fake of the GitHub API: batching, rate limits, budgets, config errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type RawConfig } from '../src/app/analyze.js';
import { ShutdownReason } from '../src/app/jobs.js';
import { FactCache } from '../src/engine/cache.js';
import { BlobCache, type Request } from '../src/app/source.js';
import { leakyDriver } from './support/drivers.js';

const leaky = leakyDriver;

function fake(source: string, failures: Record<string, unknown[]> = {}) {
  const calls: { route: string; params: Record<string, unknown> }[] = [];
  const request: Request = async (route, params) => {
    calls.push({ route, params });
    const queued = failures[route];
    if (queued && queued.length) throw queued.shift();
    if (route === 'POST /repos/{owner}/{repo}/check-runs') return { data: { id: 1 } };
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}')
      return { data: { tree: [{ path: 'init.c', type: 'blob', sha: 's1', size: source.length }] } };
    if (route === 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}')
      return { data: { content: Buffer.from(source).toString('base64'), encoding: 'base64' } };
    return { data: {} };
  };
  return { request, calls };
}

const target = { owner: 'o', repo: 'r', headSha: 'h' };
const noConfig = async (): Promise<RawConfig> => ({ value: null });
const state = () => ({ facts: new FactCache(), blobs: new BlobCache() });
const never = new AbortController().signal;
const patches = (calls: { route: string; params: Record<string, unknown> }[]) =>
  calls.filter((c) => c.route === 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}');

test('more than 50 annotations go in batches: the completion, then updates that append', async () => {
  const gh = fake(leaky(60));
  const r = await analyze(gh.request, target, noConfig, state(), never);
  assert.equal(r.conclusion, 'failure');
  const sent = patches(gh.calls).map((c) => (c.params.output as { annotations: unknown[] }).annotations.length);
  assert.deepEqual(sent, [50, 10]);
  assert.equal(patches(gh.calls)[0].params.status, 'completed');
  assert.equal(patches(gh.calls)[1].params.status, undefined, 'later updates only append annotations');
});

test('a 403 without retry-after is not retried and completes the run with the reason', async () => {
  const forbidden = Object.assign(new Error('Resource not accessible by integration'), {
    status: 403,
    response: { headers: {} },
  });
  const gh = fake(leaky(1), { 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': [forbidden] });
  const r = await analyze(gh.request, target, noConfig, state(), never);
  assert.equal(r.conclusion, 'neutral');
  assert.match((patches(gh.calls)[0].params.output as { summary: string }).summary, /HTTP 403/);
});

test('an analysis over its time budget completes the run saying so', async () => {
  const gh = fake(leaky(1));
  const r = await analyze(gh.request, target, noConfig, state(), never, { budgetMs: -1 });
  assert.equal(r.conclusion, 'neutral');
  assert.equal((patches(gh.calls)[0].params.output as { title: string }).title, 'ndis-review ran out of time');
});

test('a request that stalls is cut off at the budget, and the run completes saying so', async () => {
  const inner = fake(leaky(1));
  const stalls: Request = (route, params) => {
    if (!route.includes('/git/trees/')) return inner.request(route, params);
    inner.calls.push({ route, params });
    // Like a connection that never answers: only the request's signal ends it.
    const signal = (params.request as { signal?: AbortSignal } | undefined)?.signal;
    return new Promise((_, reject) =>
      signal?.addEventListener('abort', () => {
        reject(signal.reason);
      }),
    );
  };
  const r = await analyze(stalls, target, noConfig, state(), never, { budgetMs: 200 });
  assert.equal(r.conclusion, 'neutral');
  assert.equal((patches(inner.calls)[0].params.output as { title: string }).title, 'ndis-review ran out of time');
  assert.equal(patches(inner.calls)[0].params.status, 'completed');
});

test('an analysis stopped because the app shuts down completes its run saying so, with no reads after the stop', async () => {
  const gh = fake(leaky(1));
  const controller = new AbortController();
  controller.abort(new ShutdownReason());
  const r = await analyze(gh.request, target, noConfig, state(), controller.signal);
  assert.equal(r.conclusion, 'cancelled');
  assert.deepEqual(
    gh.calls.map((c) => c.route),
    ['POST /repos/{owner}/{repo}/check-runs', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}'],
  );
  assert.equal(
    (patches(gh.calls)[0].params.output as { title: string }).title,
    'ndis-review restarted before finishing',
  );
});

test('a broken configuration file is explained in the check run, and the defaults are used', async () => {
  const gh = fake(leaky(1));
  await analyze(
    gh.request,
    target,
    async () => ({ error: 'YAMLException: bad indentation of a mapping entry (3:5)' }),
    state(),
    never,
  );
  const summary = (patches(gh.calls)[0].params.output as { summary: string }).summary;
  assert.match(summary, /could not be read: YAMLException: bad indentation/);
  const gh2 = fake(leaky(1));
  await analyze(gh2.request, target, async () => ({ value: { report: 'everything' } }), state(), never);
  assert.match(
    (patches(gh2.calls)[0].params.output as { summary: string }).summary,
    /report: "everything" is not one of new, all/,
  );
});

test('a superseded analysis completes its run as cancelled', async () => {
  const gh = fake(leaky(1));
  const ctrl = new AbortController();
  ctrl.abort();
  const r = await analyze(gh.request, target, noConfig, state(), ctrl.signal);
  assert.equal(r.conclusion, 'cancelled');
});
