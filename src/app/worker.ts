/**
 * `npm run worker`: an analysis worker of the fleet (REDIS_URL). It takes
 * jobs from BullMQ, runs them as the single process does (the same runner,
 * the same pool with its time and memory limits), and keeps GitHub's limits
 * with every other process through Probot's Redis-backed throttling.
 *
 * A job superseded by a newer push of its pull request stops (before it
 * shows a run, it leaves nothing). A worker that dies mid-job loses its
 * lock; BullMQ hands the job to another worker, which finds the run by the
 * job's external ID and completes it. Runs whose job will not run again
 * are completed as interrupted by whichever worker sweeps first.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Queue, Worker, type Job } from 'bullmq';
import { Probot } from 'probot';
import { FactCache } from '../engine/cache.js';
import type { AnalysisState } from './analyze.js';
import { describe } from './calls.js';
import {
  cacheUrl,
  engineCacheKey,
  isNewest,
  QUEUE_NAME,
  RedisFacts,
  RedisInflight,
  redisFrom,
  SUPERSEDE_CHANNEL,
  type FleetJob,
} from './fleet.js';
import { docsBase } from './index.js';
import { AppOctokit } from './octokit.js';
import { poolFromEnv } from './pool.js';
import { completeRun, INTERRUPTED_OUTPUT, type RecoveryDeps } from './recovery.js';
import { runJob, type RunnerDeps } from './runner.js';
import { BlobCache } from './source.js';
import { envValue } from '../util/env.js';

export interface StartedWorker {
  worker: Worker<FleetJob>;
  stop: () => Promise<void>;
}

function privateKeyOf(env: NodeJS.ProcessEnv): string {
  if (env.PRIVATE_KEY) return env.PRIVATE_KEY.replace(/\\n/g, '\n');
  if (env.PRIVATE_KEY_PATH) return readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
  throw new Error('PRIVATE_KEY or PRIVATE_KEY_PATH must be set');
}

export async function startWorker(env: NodeJS.ProcessEnv = process.env): Promise<StartedWorker> {
  const redisUrl = env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL must be set: the worker takes its jobs from the fleet queue');
  const appId = Number(env.APP_ID);
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new Error('APP_ID must be set');
  const baseUrl = env.GHE_HOST ? `${envValue(env, 'GHE_PROTOCOL') ?? 'https'}://${env.GHE_HOST}/api/v3` : undefined;
  const probot = new Probot({
    appId,
    privateKey: privateKeyOf(env),
    Octokit: AppOctokit,
    // Probot's throttling on Redis: one limiter per installation across the whole fleet.
    redisConfig: redisUrl,
    ...(baseUrl ? { baseUrl } : {}),
    ...(env.LOG_LEVEL ? { logLevel: env.LOG_LEVEL as 'info' } : {}),
  });
  // Probot sets itself up (its log, its Redis-backed throttling) on first use.
  await probot.auth();
  const log = probot.log;
  const redis = redisFrom(redisUrl);
  const subscriber = redisFrom(redisUrl);
  const cache = redisFrom(cacheUrl(env));
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
  const sharedFacts = new RedisFacts(cache, engineCacheKey(), {
    maxBytes: num(env.NDIS_REVIEW_SHARED_FACTS_MB, 512) * 1024 * 1024,
    ttlMs: num(env.NDIS_REVIEW_SHARED_FACTS_TTL_H, 168) * 3600_000,
  });
  const pool = poolFromEnv(env);
  const docsBaseUrl = docsBase(env.NDIS_REVIEW_DOCS_URL);
  const state: AnalysisState = {
    facts: new FactCache(),
    blobs: new BlobCache(),
    pool,
    sharedFacts,
    appId,
    ...(docsBaseUrl !== undefined ? { docsBaseUrl } : {}),
  };
  const inflight = new RedisInflight(redis);
  const recovery: RecoveryDeps = {
    requestFor: async (installation) => (await probot.auth(installation)).request,
    log,
    done: (run) => {
      void inflight.remove(run.checkRunId).catch(() => undefined);
    },
  };

  /** Jobs running in this worker, to stop when a newer push supersedes them. */
  const running = new Map<string, { job: FleetJob; stop: AbortController }>();
  await subscriber.subscribe(SUPERSEDE_CHANNEL);
  subscriber.on('message', (_channel: string, message: string) => {
    const { group, jobId } = JSON.parse(message) as { group: string; jobId: string };
    for (const r of running.values()) if (r.job.group === group && r.job.jobId !== jobId) r.stop.abort();
  });

  const atOnce = Number(env.NDIS_REVIEW_COMPLETE_AT_ONCE_MS);
  const processJob = async (job: Job<FleetJob>): Promise<string> => {
    const data = job.data;
    if (!(await isNewest(redis, data))) return 'superseded before it started';
    const stop = new AbortController();
    running.set(data.jobId, { job: data, stop });
    const deps: RunnerDeps = {
      clientFor: async (installation) => await probot.auth(installation),
      state,
      recovery,
      log,
      attach: (_id, checkRunId) => {
        void inflight
          .add(data.jobId, {
            installation: data.installation,
            owner: data.target.owner,
            repo: data.target.repo,
            checkRunId,
          })
          .catch(() => undefined);
      },
      ...(env.NDIS_REVIEW_COMPLETE_AT_ONCE_MS && Number.isFinite(atOnce) ? { completeAtOnceMs: atOnce } : {}),
    };
    try {
      // A job BullMQ hands out again (its worker died) finds the run it made by the job's external ID.
      const outcome = await runJob(data, deps, stop.signal, job.attemptsStarted > 1 || job.stalledCounter > 0);
      if (outcome.kind === 'done') {
        if (outcome.result.checkRunId) await inflight.remove(outcome.result.checkRunId).catch(() => undefined);
        return outcome.result.conclusion;
      }
      if (outcome.kind === 'failed-with-run') await outcome.settled;
      throw outcome.error instanceof Error ? outcome.error : new Error(describe(outcome.error));
    } finally {
      running.delete(data.jobId);
    }
  };

  const lockMs = num(env.NDIS_REVIEW_JOB_LOCK_S, 30) * 1000;
  const worker = new Worker<FleetJob>(QUEUE_NAME, processJob, {
    connection: redisFrom(redisUrl),
    concurrency: Math.max(1, num(env.NDIS_REVIEW_WORKER_CONCURRENCY, 2)),
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose worker died twice is not tried a third time: its run is completed as interrupted.
    maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => {
    log.warn({ job: job?.data.key, err: describe(err) }, 'fleet job failed');
  });

  /** Runs whose job will not run again (completed, failed, gone) are completed as interrupted. */
  const queue = new Queue(QUEUE_NAME, { connection: redisFrom(redisUrl) });
  const sweep = async () => {
    for (const run of await inflight.list()) {
      const stateOf = await queue.getJobState(run.jobId);
      if (stateOf === 'completed' || stateOf === 'failed' || stateOf === 'unknown')
        await completeRun(run, recovery, INTERRUPTED_OUTPUT);
    }
  };
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => {
      log.warn({ err: describe(err) }, 'sweep of runs in flight failed');
    });
  }, lockMs);
  sweeper.unref();

  const stop = async () => {
    clearInterval(sweeper);
    await worker.close();
    await queue.close();
    await pool.close();
    subscriber.disconnect();
    redis.disconnect();
    cache.disconnect();
  };
  log.info({ threads: pool.threads }, 'fleet worker started');
  return { worker, stop };
}

const script = process.argv.at(1);
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  startWorker()
    .then(({ stop }) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    });
}
