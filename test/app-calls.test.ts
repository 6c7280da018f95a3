/**
 * The analysis's requests: deadlines, the job's abort, and requests made
 * outside an analysis. Clocks are Node's fake timers: a deadline of 150 s
 * and a limiter that holds a write for 250 s cost no real time.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { boundedRequest, BudgetExceeded, requestWithin } from '../src/app/calls.js';
import type { Request } from '../src/app/source.js';
import { resolving } from './support/async.js';

/** A connection that never answers: only the request's signal ends it, failing the way fetch does (an AbortError). */
const neverAnswers = (_input: unknown, init?: { signal?: AbortSignal | null }) =>
  new Promise<Response>((_, reject) => {
    init?.signal?.addEventListener('abort', () => {
      reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
    });
  });
/**
 * Octokit's request as far as these tests need: after `held` ms in a rate
 * limiter, it calls the fetch in `request.fetch` (the caller's, wrapped by
 * the code under test).
 */
const octokitLike =
  (held = 0): Request =>
  async (_route, params) => {
    const options = params.request as { signal: AbortSignal; fetch: typeof fetch };
    if (held) await new Promise((r) => setTimeout(r, held));
    await options.fetch('http://stand-in.invalid/', { signal: options.signal });
    return { data: 'answered' };
  };
/** Params whose requests go out through `fetchImpl`. */
const via = (fetchImpl: (input: unknown, init?: { signal?: AbortSignal | null }) => Promise<Response>) => ({
  request: { fetch: fetchImpl },
});
const stalls = octokitLike();
const stalled = via(neverAnswers);
const answers = (afterMs: number) =>
  via(async () => {
    await new Promise((r) => setTimeout(r, afterMs));
    return new Response('{}');
  });

/** Fake setTimeout and Date for this test; `advance` moves the clock, letting promise chains run between steps. */
function fakeClock(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const settle = () => new Promise((r) => setImmediate(r));
  return async (ms: number, steps = 10) => {
    for (let i = 0; i < steps; i++) {
      await settle();
      t.mock.timers.tick(ms / steps);
    }
    await settle();
  };
}

test('requestWithin: a request with no answer ends after its deadline, with a plain reason', async (t) => {
  const advance = fakeClock(t);
  const answer = requestWithin(stalls, 30_000, 'PATCH /x', stalled);
  const rejected = assert.rejects(answer, /^Error: no answer from GitHub within 30 s$/);
  await advance(30_000);
  await rejected;
});

test("boundedRequest: a stopped job drops its reads at once, with the job's reason; check run writes still go out", async () => {
  const job = new AbortController();
  const { call, count } = boundedRequest(stalls, job.signal, Date.now() + 60_000, 60_000);
  const read = call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', stalled);
  const why = new Error('superseded');
  job.abort(why);
  await assert.rejects(read, (err) => err === why);
  const writes: Request = () => Promise.resolve({ data: 'written' });
  const after = boundedRequest(writes, job.signal, Date.now() + 60_000, 60_000);
  assert.deepEqual(await after.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {}), { data: 'written' });
  assert.equal(count(), 1);
});

test('boundedRequest: past the budget a read is refused before it is sent; a stalled read ends at the budget', async (t) => {
  const advance = fakeClock(t);
  const never = new AbortController().signal;
  let sent = 0;
  const counting: Request = resolving(() => {
    sent++;
    return { data: null };
  });
  await assert.rejects(boundedRequest(counting, never, Date.now() - 1, 1000).call('GET /x', {}), BudgetExceeded);
  assert.equal(sent, 0);
  const read = boundedRequest(stalls, never, Date.now() + 40_000, 40_000).call('GET /x', stalled);
  const rejected = assert.rejects(read, BudgetExceeded);
  await advance(40_000);
  await rejected;
});

test('a deadline counts from when the request leaves the rate limiter, not from when it was made', async (t) => {
  const advance = fakeClock(t);
  const never = new AbortController().signal;
  // Held 250 s in the limiter, answered 20 s after it goes out: within a 150 s deadline of its own.
  const limited = octokitLike(250_000);
  const { call } = boundedRequest(limited, never, Date.now() + 600_000, 600_000, 150_000);
  const write = call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', answers(20_000));
  const outside = requestWithin(limited, 150_000, 'PATCH /x', answers(20_000));
  await advance(270_000, 27);
  assert.deepEqual(await write, { data: 'answered' });
  assert.deepEqual(await outside, { data: 'answered' });
  // Out of the limiter, no answer: the deadline still ends it, 150 s after it went out.
  const out = boundedRequest(limited, never, Date.now() + 600_000, 600_000, 150_000);
  const stuck = out.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', stalled);
  let settled = false;
  void stuck.catch(() => (settled = true));
  await advance(390_000, 39);
  assert.equal(settled, false, 'still waiting 140 s after it went out');
  const rejected = assert.rejects(stuck, /no answer from GitHub within 150 s/);
  await advance(20_000);
  await rejected;
});

test('a read dropped by the job is answered at once, even while it waits in the limiter', async (t) => {
  fakeClock(t);
  const job = new AbortController();
  const { call } = boundedRequest(octokitLike(3_600_000), job.signal, Date.now() + 60_000, 60_000);
  const read = call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', answers(0));
  const why = new Error('superseded');
  job.abort(why);
  // No clock moves: the answer comes without the hour in the limiter passing.
  await assert.rejects(read, (err) => err === why);
});
