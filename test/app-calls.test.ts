/** The analysis's requests: deadlines, the job's abort, and requests made outside an analysis. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedRequest, BudgetExceeded, requestWithin } from '../src/app/calls.js';
import type { Request } from '../src/app/source.js';

/** A request that only ends when its signal aborts, failing the way fetch does (an AbortError). */
const stalls: Request = (_route, params) =>
  new Promise((_, reject) => {
    const signal = (params.request as { signal: AbortSignal }).signal;
    signal.addEventListener('abort', () => {
      reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
    });
  });

test('requestWithin: a request with no answer ends after its deadline, with a plain reason', async () => {
  await assert.rejects(requestWithin(stalls, 30, 'PATCH /x', {}), /^Error: no answer from GitHub within 0 s$/);
});

test("boundedRequest: a stopped job drops its reads at once, with the job's reason; check run writes still go out", async () => {
  const job = new AbortController();
  const { call, count } = boundedRequest(stalls, job.signal, Date.now() + 60_000, 60_000);
  const read = call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {});
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
  await assert.rejects(boundedRequest(stalls, never, Date.now() + 40, 40).call('GET /x', {}), BudgetExceeded);
});
