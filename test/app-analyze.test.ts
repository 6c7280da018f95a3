/** One analysis job against a recording fake of the GitHub API: batching, rate limits, budgets, config errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type RawConfig } from '../src/app/analyze.js';
import { ShutdownReason } from '../src/app/jobs.js';
import { FactCache } from '../src/engine/cache.js';
import { BlobCache, type Request } from '../src/app/source.js';
import { leakyDriver } from './support/drivers.js';
import { abortReason } from '../src/util/errors.js';
import { resolving } from './support/async.js';

const leaky = leakyDriver;

function fake(source: string, failures: Record<string, unknown[]> = {}) {
  const calls: { route: string; params: Record<string, unknown> }[] = [];
  const request: Request = resolving((route, params) => {
    calls.push({ route, params });
    const queued = failures[route] as unknown[] | undefined;
    if (queued?.length) throw queued.shift();
    if (route === 'POST /repos/{owner}/{repo}/check-runs') return { data: { id: 1 } };
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}')
      return { data: { tree: [{ path: 'init.c', type: 'blob', sha: 's1', size: source.length }] } };
    if (route === 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}')
      return { data: { content: Buffer.from(source).toString('base64'), encoding: 'base64' } };
    return { data: {} };
  });
  return { request, calls };
}

const target = { owner: 'o', repo: 'r', headSha: 'h' };
const noConfig = (): Promise<RawConfig> => Promise.resolve({ value: null });
const state = () => ({ facts: new FactCache(), blobs: new BlobCache() });
const never = new AbortController().signal;
interface Call {
  route: string;
  params: Record<string, unknown>;
}
const POST = 'POST /repos/{owner}/{repo}/check-runs';
const PATCH = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';
const writes = (calls: Call[]) => calls.filter((c) => c.route === POST || c.route === PATCH);
/** The write that gave the run its conclusion. */
const completion = (calls: Call[]) => {
  const w = writes(calls).find((c) => c.params.status === 'completed');
  assert.ok(w, 'the run was completed');
  return w.params as { conclusion: string; output: { title: string; summary: string; annotations: unknown[] } };
};

test('a quick analysis is one write: the run created already completed, with its conclusion and Re-run button', async () => {
  const gh = fake(leaky(1));
  const r = await analyze(gh.request, target, noConfig, state(), never, { externalId: 'job-1' });
  assert.equal(r.conclusion, 'failure');
  const w = writes(gh.calls);
  assert.deepEqual(
    w.map((c) => `${c.route} ${String(c.params.status)}`),
    [`${POST} completed`],
  );
  assert.equal(w[0].params.external_id, 'job-1');
  assert.equal(w[0].params.name, 'ndis-review');
  assert.ok(typeof w[0].params.started_at === 'string' && typeof w[0].params.completed_at === 'string');
  assert.deepEqual(
    (w[0].params.actions as { identifier: string }[]).map((a) => a.identifier),
    ['rerun'],
  );
  assert.equal((w[0].params.request as { retries?: number }).retries, 0, 'Octokit does not repeat a create by itself');
});

test('an analysis longer than the moment allowed shows its run in progress first, then completes it', async () => {
  const gh = fake(leaky(1));
  const slow: Request = async (route, params) => {
    if (route.includes('/git/trees/')) await new Promise((r) => setTimeout(r, 50));
    return gh.request(route, params);
  };
  await analyze(slow, target, noConfig, state(), never, { completeAtOnceMs: 5 });
  assert.deepEqual(
    writes(gh.calls).map((c) => `${c.route} ${String(c.params.status)}`),
    [`${POST} in_progress`, `${PATCH} completed`],
  );
});

test('more than 50 annotations go in batches: the completion, then updates that append', async () => {
  const gh = fake(leaky(60));
  const r = await analyze(gh.request, target, noConfig, state(), never);
  assert.equal(r.conclusion, 'failure');
  const w = writes(gh.calls);
  assert.deepEqual(
    w.map((c) => (c.params.output as { annotations: unknown[] }).annotations.length),
    [50, 10],
  );
  assert.equal(w[0].params.status, 'completed');
  assert.equal(w[1].route, PATCH);
  assert.equal(w[1].params.status, undefined, 'later updates only append annotations');
});

test('a 403 without retry-after is not retried and completes the run with the reason, never passing', async () => {
  const forbidden = Object.assign(new Error('Resource not accessible by integration'), {
    status: 403,
    response: { headers: {} },
  });
  const gh = fake(leaky(1), { 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': [forbidden] });
  const r = await analyze(gh.request, target, noConfig, state(), never);
  assert.equal(r.conclusion, 'failure');
  assert.match(completion(gh.calls).output.summary, /HTTP 403/);
  assert.match(completion(gh.calls).output.summary, /cannot pass this check/);
});

test('an analysis over its time budget completes the run saying so', async () => {
  const gh = fake(leaky(1));
  const r = await analyze(gh.request, target, noConfig, state(), never, { budgetMs: -1 });
  assert.equal(r.conclusion, 'failure');
  assert.equal(completion(gh.calls).output.title, 'ndis-review ran out of time');
});

test('a request that stalls is cut off at the budget, and the run completes saying so', async (t) => {
  // The real 5-minute budget, on a fake clock.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const inner = fake(leaky(1));
  const stalls: Request = (route, params) => {
    if (!route.includes('/git/trees/')) return inner.request(route, params);
    inner.calls.push({ route, params });
    // Like a connection that never answers: only the request's signal ends it.
    const signal = (params.request as { signal?: AbortSignal } | undefined)?.signal;
    return new Promise((_, reject) =>
      signal?.addEventListener('abort', () => {
        reject(abortReason(signal));
      }),
    );
  };
  const running = analyze(stalls, target, noConfig, state(), never, { completeAtOnceMs: 600_000 });
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(10_000);
  }
  const r = await running;
  assert.equal(r.conclusion, 'failure');
  assert.equal(completion(inner.calls).output.title, 'ndis-review ran out of time');
});

test('a job stopped by a shutdown before it showed a run leaves nothing on GitHub (it runs again at the next start)', async () => {
  const gh = fake(leaky(1));
  const controller = new AbortController();
  controller.abort(new ShutdownReason());
  const r = await analyze(gh.request, target, noConfig, state(), controller.signal);
  assert.equal(r.conclusion, 'cancelled');
  assert.deepEqual(writes(gh.calls), []);
});

test('a job stopped by a shutdown after its run exists completes the run saying so, with no reads after the stop', async () => {
  const gh = fake(leaky(1));
  const controller = new AbortController();
  controller.abort(new ShutdownReason());
  const r = await analyze(gh.request, target, noConfig, state(), controller.signal, { existingRunId: 9 });
  assert.equal(r.conclusion, 'cancelled');
  assert.deepEqual(
    gh.calls.map((c) => c.route),
    [PATCH],
  );
  assert.equal(completion(gh.calls).output.title, 'ndis-review restarted before finishing');
});

test('a broken configuration file is explained in the check run, and the defaults are used', async () => {
  const gh = fake(leaky(1));
  await analyze(
    gh.request,
    target,
    () => Promise.resolve({ error: 'YAMLException: bad indentation of a mapping entry (3:5)' }),
    state(),
    never,
  );
  assert.match(completion(gh.calls).output.summary, /could not be read: YAMLException: bad indentation/);
  const gh2 = fake(leaky(1));
  await analyze(gh2.request, target, () => Promise.resolve({ value: { report: 'everything' } }), state(), never);
  assert.match(completion(gh2.calls).output.summary, /report: "everything" is not one of new, all/);
});

test('a superseded analysis that showed no run writes nothing; one with a run completes it as cancelled', async () => {
  const gh = fake(leaky(1));
  const ctrl = new AbortController();
  ctrl.abort();
  const r = await analyze(gh.request, target, noConfig, state(), ctrl.signal);
  assert.equal(r.conclusion, 'cancelled');
  assert.deepEqual(writes(gh.calls), []);
  const gh2 = fake(leaky(1));
  await analyze(gh2.request, target, noConfig, state(), ctrl.signal, { existingRunId: 4 });
  assert.equal(completion(gh2.calls).conclusion, 'cancelled');
});

test('a create that got no answer (connection reset) is not repeated when GitHub made the run: it is found by its external ID', async () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { status: 500 });
  const gh = fake(leaky(1), { [POST]: [reset] });
  const request: Request = async (route, params) => {
    if (route === 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs') {
      gh.calls.push({ route, params });
      return {
        data: {
          check_runs: [
            { id: 31, external_id: 'other' },
            { id: 32, external_id: 'job-7' },
          ],
        },
      };
    }
    return gh.request(route, params);
  };
  const r = await analyze(request, target, noConfig, state(), never, { externalId: 'job-7' });
  assert.equal(r.checkRunId, 32);
  assert.deepEqual(gh.calls.filter((c) => c.route === POST).length, 1, 'one create: the run the reset hid was found');
});

test('a create that got no answer, and made no run, is tried again', async () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { status: 500 });
  const gh = fake(leaky(1), { [POST]: [reset] });
  const r = await analyze(gh.request, target, noConfig, state(), never, { externalId: 'job-8' });
  assert.equal(r.checkRunId, 1);
  assert.equal(gh.calls.filter((c) => c.route === POST).length, 2);
  assert.equal(gh.calls.filter((c) => c.route.endsWith('/check-runs') && c.route.startsWith('GET')).length, 1);
});

test('a job restarted after a kill finds the run its create left, by external ID, and completes it', async () => {
  const gh = fake(leaky(1));
  const request: Request = async (route, params) => {
    if (route === 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs') {
      gh.calls.push({ route, params });
      return { data: { check_runs: [{ id: 55, external_id: 'job-9' }] } };
    }
    return gh.request(route, params);
  };
  await analyze(request, target, noConfig, state(), never, { externalId: 'job-9', recovered: true });
  assert.deepEqual(
    writes(gh.calls).map((c) => `${c.route} ${String(c.params.check_run_id)}`),
    [`${PATCH} 55`],
  );
});

test('an incomplete result on a pull request never passes: the summary says what was withheld and where', async () => {
  const clean = leaky(0);
  const gh = fake(clean);
  const request: Request = async (route, params) => {
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}') {
      gh.calls.push({ route, params });
      return {
        data: {
          tree: [
            { path: 'init.c', type: 'blob', sha: 's1', size: clean.length },
            { path: 'big/huge.c', type: 'blob', sha: 's2', size: 5 * 1024 * 1024 },
          ],
        },
      };
    }
    if (route.includes('/pulls/')) return { data: [] };
    return gh.request(route, params);
  };
  const pr = { ...target, pullNumber: 3 };
  const r = await analyze(request, pr, noConfig, state(), never);
  assert.equal(r.conclusion, 'failure');
  const done = completion(gh.calls);
  assert.match(done.output.title, /^Incomplete analysis/, done.output.summary);
  assert.match(done.output.summary, /^\*\*Incomplete analysis\.\*\*/);
  assert.match(done.output.summary, /`big\/huge\.c`: Skipped: 5242880 bytes/);
  // The same commit outside a pull request keeps its conclusion (nothing to pass or block).
  const gh2 = fake(clean);
  const outside: Request = async (route, params) =>
    route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}' ? request(route, params) : gh2.request(route, params);
  assert.equal((await analyze(outside, target, noConfig, state(), never)).conclusion, 'success');
});
