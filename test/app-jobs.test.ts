/** The job queue: detached work, one job per result, newest push wins, per-installation order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobQueue, ShutdownReason } from '../src/app/jobs.js';
import { resolving } from './support/async.js';
import { defined } from '../src/util/defined.js';

const tick = () => new Promise((r) => setImmediate(r));

test('two deliveries for one head SHA make one job', async () => {
  const q = new JobQueue();
  let runs = 0;
  const job = {
    installation: 1,
    key: 'o/r@abc',
    run: async () => {
      runs++;
      await tick();
    },
  };
  assert.equal(q.enqueue(job), true);
  assert.equal(q.enqueue({ ...job }), false);
  await q.idle();
  assert.equal(runs, 1);
});

test('a newer push supersedes: a waiting job is dropped, a running one is told to stop', async () => {
  const q = new JobQueue();
  const log: string[] = [];
  let release!: () => void;
  const blocker = new Promise<void>((r) => {
    release = r;
  });
  q.enqueue({
    installation: 1,
    key: 'pr1@a',
    group: 'pr1',
    run: async (signal) => {
      log.push('a start');
      await blocker;
      log.push(signal.aborted ? 'a aborted' : 'a done');
    },
  });
  await tick();
  q.enqueue({
    installation: 1,
    key: 'pr1@b',
    group: 'pr1',
    run: resolving(() => {
      log.push('b');
    }),
  });
  q.enqueue({
    installation: 1,
    key: 'pr1@c',
    group: 'pr1',
    run: resolving(() => {
      log.push('c');
    }),
  });
  release();
  await q.idle();
  assert.deepEqual(log, ['a start', 'a aborted', 'c']);
});

test('one installation runs one job at a time; installations run side by side', async () => {
  const q = new JobQueue();
  let concurrent = 0;
  let maxSame = 0;
  let maxAll = 0;
  const perInst = new Map<number, number>();
  const job = (inst: number, k: string) => ({
    installation: inst,
    key: k,
    run: async () => {
      perInst.set(inst, (perInst.get(inst) ?? 0) + 1);
      concurrent++;
      maxSame = Math.max(maxSame, defined(perInst.get(inst)));
      maxAll = Math.max(maxAll, concurrent);
      await tick();
      concurrent--;
      perInst.set(inst, defined(perInst.get(inst)) - 1);
    },
  });
  for (let i = 0; i < 3; i++) {
    q.enqueue(job(1, `a${String(i)}`));
    q.enqueue(job(2, `b${String(i)}`));
  }
  await q.idle();
  assert.equal(maxSame, 1);
  assert.equal(maxAll, 2);
});

test('a failing job is reported and does not stop the queue', async () => {
  const errors: string[] = [];
  const q = new JobQueue((spec, err) => errors.push(`${spec.key}: ${(err as Error).message}`));
  let ran = false;
  q.enqueue({
    installation: 1,
    key: 'x',
    run: resolving(() => {
      throw new Error('boom');
    }),
  });
  q.enqueue({
    installation: 1,
    key: 'y',
    run: resolving(() => {
      ran = true;
    }),
  });
  await q.idle();
  assert.deepEqual(errors, ['x: boom']);
  assert.equal(ran, true);
});

test('a delivery of work finished moments ago is dropped; a forced re-run, a failed job or an expired memory runs again', async () => {
  let now = 5_000; // lru-cache reads a start time of 0 as "no start"; a real clock never says 0
  const q = new JobQueue(
    () => {
      // failed jobs are not looked at here
    },
    { doneForMs: 1000, now: () => now },
  );
  let runs = 0;
  const job = {
    installation: 1,
    key: 'o/r@abc#5',
    run: resolving(() => {
      runs++;
    }),
  };
  q.enqueue(job);
  await q.idle();
  assert.equal(q.enqueue({ ...job }), false, 'check_suite.requested after pull_request.synchronize finished');
  assert.equal(q.enqueue({ ...job, force: true }), true, 're-run asked for');
  await q.idle();
  assert.equal(runs, 2);
  now = 6_001;
  assert.equal(q.enqueue({ ...job }), true, 'after the memory expires');
  await q.idle();
  assert.equal(runs, 3);
  const failing = {
    installation: 1,
    key: 'o/r@bad',
    run: resolving(() => {
      runs++;
      throw new Error('token exchange failed');
    }),
  };
  q.enqueue(failing);
  await q.idle();
  assert.equal(q.enqueue({ ...failing }), true, 'a job that failed may be delivered again');
  await q.idle();
  assert.equal(runs, 5);
});

test('shutdown: work that ends within the grace period ends normally; what is left is stopped with a ShutdownReason and still runs to say so', async (t) => {
  const q = new JobQueue();
  const log: string[] = [];
  q.enqueue({
    installation: 1,
    key: 'quick',
    run: async (signal) => {
      await tick();
      log.push(`quick ${String(signal.aborted)}`);
    },
  });
  assert.equal(await q.shutdown(1000), 0);
  assert.deepEqual(log, ['quick false']);
  assert.equal(
    q.enqueue({
      installation: 1,
      key: 'late',
      run: resolving(() => {
        log.push('late');
      }),
    }),
    false,
    'no new work once shutting down',
  );

  const r = new JobQueue();
  const seen: string[] = [];
  const waitForAbort = (name: string) => async (signal: AbortSignal) => {
    if (!signal.aborted)
      await new Promise((res) => {
        signal.addEventListener('abort', res, { once: true });
      });
    seen.push(`${name} ${String(signal.reason instanceof ShutdownReason)}`);
  };
  r.enqueue({ installation: 1, key: 'stuck', run: waitForAbort('stuck') });
  r.enqueue({ installation: 1, key: 'queued', run: waitForAbort('queued') });
  // A 20 s grace on a fake clock: the stuck job is stopped once it has passed, not before.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const stopping = r.shutdown(20_000);
  await tick();
  t.mock.timers.tick(19_999);
  await tick();
  assert.deepEqual(seen, [], 'still within the grace period');
  t.mock.timers.tick(1);
  assert.equal(await stopping, 2);
  assert.deepEqual(seen, ['stuck true', 'queued true']);
});

test('a job that must wait is told so; a waiting job dropped for a newer push is told so, and never runs', async () => {
  const q = new JobQueue();
  const log: string[] = [];
  let release!: () => void;
  const blocker = new Promise<void>((r) => {
    release = r;
  });
  const job = (key: string, group: string, body: () => Promise<void> = () => Promise.resolve()) => ({
    installation: 1,
    key,
    group,
    onWaiting: () => log.push(`${key} waiting`),
    onDropped: (reason: string) => {
      log.push(`${key} dropped (${reason})`);
    },
    run: async () => {
      log.push(`${key} runs`);
      await body();
    },
  });
  q.enqueue(job('a', 'pr1', () => blocker));
  q.enqueue(job('b', 'pr2'));
  q.enqueue(job('b2', 'pr2'));
  release();
  await q.idle();
  assert.deepEqual(log, ['a runs', 'b waiting', 'b dropped (superseded)', 'b2 waiting', 'b2 runs']);
});
