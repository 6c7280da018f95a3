/** The analysis's requests: deadlines, the job's abort, and requests made outside an analysis. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedRequest, BudgetExceeded, requestWithin } from '../src/app/calls.js';
import type { Request } from '../src/app/source.js';

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

test('requestWithin: a request with no answer ends after its deadline, with a plain reason', async () => {
  await assert.rejects(requestWithin(stalls, 30, 'PATCH /x', stalled), /^Error: no answer from GitHub within 0 s$/);
});

test("boundedRequest: a stopped job drops its reads at once, with the job's reason; check run writes still go out", async () => {
  const job = new AbortController();
  const { call, count } = boundedRequest(stalls, job.signal, Date.now() + 60_000, 60_000);
  const read = call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', stalled);
  const why = new Error('superseded');
  job.abort(why);
  await assert.rejects(read, (err) => err === why);
  const writes: Request = async () => ({ data: 'written' });
  const after = boundedRequest(writes, job.signal, Date.now() + 60_000, 60_000);
  assert.deepEqual(await after.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {}), { data: 'written' });
  assert.equal(count(), 1);
});

test('boundedRequest: past the budget a read is refused before it is sent; a stalled read ends at the budget', async () => {
  const never = new AbortController().signal;
  let sent = 0;
  const counting: Request = async () => {
    sent++;
    return { data: null };
  };
  await assert.rejects(boundedRequest(counting, never, Date.now() - 1, 1000).call('GET /x', {}), BudgetExceeded);
  assert.equal(sent, 0);
  await assert.rejects(boundedRequest(stalls, never, Date.now() + 40, 40).call('GET /x', stalled), BudgetExceeded);
});

test('a deadline counts from when the request leaves the rate limiter, not from when it was made', async () => {
  const never = new AbortController().signal;
  // Held 250 ms in the limiter, answered 20 ms after it goes out: well within a 150 ms deadline of its own.
  const limited = octokitLike(250);
  const { call } = boundedRequest(limited, never, Date.now() + 60_000, 60_000, 150);
  assert.deepEqual(await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', answers(20)), {
    data: 'answered',
  });
  assert.deepEqual(await requestWithin(limited, 150, 'PATCH /x', answers(20)), { data: 'answered' });
  // Out of the limiter, no answer: the deadline still ends it.
  const out = boundedRequest(limited, never, Date.now() + 60_000, 60_000, 100);
  await assert.rejects(
    out.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', stalled),
    /no answer from GitHub/,
  );
});

test('a read dropped by the job is answered at once, even while it waits in the limiter', async () => {
  const job = new AbortController();
  const { call } = boundedRequest(octokitLike(2_000), job.signal, Date.now() + 60_000, 60_000);
  const read = call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', answers(0));
  const started = Date.now();
  const why = new Error('superseded');
  job.abort(why);
  await assert.rejects(read, (err) => err === why);
  assert.ok(Date.now() - started < 1000);
});
