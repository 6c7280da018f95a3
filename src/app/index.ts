/**
 * The GitHub App (Probot 14): an adapter around the engine. Handlers turn
 * events into "analyse this commit of this repository (for this pull
 * request)" jobs: each job is recorded (NDIS_REVIEW_STATE_DIR) before the
 * webhook is answered, so a crash or a kill loses none, and runs after the
 * answer, its scans in the analysis pool. Facts and blobs are cached
 * across jobs, so a new push re-reads and re-parses only what changed.
 */
import { randomUUID } from 'node:crypto';
import type { ApplicationFunctionOptions, Context, Probot } from 'probot';
import { LRUCache } from 'lru-cache';
import { FactCache } from '../engine/cache.js';
import { CHECK_NAME, RERUN_ACTION, type AnalysisResult, type AnalysisState, type Target } from './analyze.js';
import { createBadgeHandler, latestConclusion, type BadgeCache } from './badge.js';
import { JobJournal, type JobRecord } from './inflight.js';
import { JobQueue, ShutdownReason } from './jobs.js';
import { poolFromEnv, type AnalysisPool } from './pool.js';
import { completeLeftBehind, type RecoveryDeps } from './recovery.js';
import { jobGroup, jobKey, runJob, type RunnerDeps } from './runner.js';
import { BlobCache } from './source.js';
import { envValue } from '../util/env.js';

export { readBaseConfig } from './runner.js';

export interface AppInstance extends AnalysisState {
  queue: JobQueue;
  /** Jobs acknowledged and not finished (kept on disk with NDIS_REVIEW_STATE_DIR). */
  journal: JobJournal;
  /** Completed analyses, newest last (for tests and diagnostics; bounded). */
  results: AnalysisResult[];
  /** Ends the analysis pool (after the queue has shut down). */
  close: () => Promise<void>;
}

export interface AppOptions {
  /** The analysis pool; `null`: scans in the calling thread (tests of the flow). Default: from the environment. */
  pool?: AnalysisPool | null;
  /**
   * Where jobs go instead of the in-process queue (the fleet: BullMQ).
   * Given the recorded job, it must have stored it durably when it resolves.
   */
  dispatch?: (job: JobRecord & { group?: string; key: string }) => Promise<void>;
  badgeCache?: BadgeCache;
}

type AnyContext = Context<'pull_request' | 'check_suite' | 'check_run'>;

/** Builds the app function and the state it keeps, so tests can wait for its jobs. */
export function createApp(
  env: NodeJS.ProcessEnv = process.env,
  options: AppOptions = {},
): {
  app: (probot: Probot, options?: ApplicationFunctionOptions) => void;
  instance: AppInstance;
} {
  const docsBaseUrl = docsBase(env.NDIS_REVIEW_DOCS_URL);
  const appId = appIdOf(env.APP_ID);
  const atOnce = Number(env.NDIS_REVIEW_COMPLETE_AT_ONCE_MS);
  const completeAtOnceMs =
    env.NDIS_REVIEW_COMPLETE_AT_ONCE_MS && Number.isFinite(atOnce) && atOnce >= 0 ? atOnce : undefined;
  const pool = options.pool === null ? undefined : (options.pool ?? (options.dispatch ? undefined : poolFromEnv(env)));
  const instance: AppInstance = {
    facts: new FactCache(),
    blobs: new BlobCache(),
    ...(pool ? { pool } : {}),
    queue: new JobQueue(),
    results: [],
    ...(docsBaseUrl !== undefined ? { docsBaseUrl } : {}),
    ...(appId !== undefined ? { appId } : {}),
    journal: new JobJournal(options.dispatch ? undefined : envValue(env, 'NDIS_REVIEW_STATE_DIR')),
    close: async () => {
      await pool?.close();
    },
  };
  const app = (probot: Probot, appOptions?: ApplicationFunctionOptions) => {
    // Badges: served beside the webhook route when Probot's server runs the app
    // (Probot.load without a server offers an addHandler that throws).
    // Probot binds addHandler (an arrow or a bound method); callers other than Probot may leave it out.
    const addHandler = appOptions?.addHandler;
    try {
      addHandler?.(badgeHandler(probot, appId, options.badgeCache));
    } catch {
      probot.log.debug('no HTTP server: badge routes not mounted');
    }
    if (env.NDIS_REVIEW_DOCS_URL && docsBaseUrl === undefined) {
      probot.log.warn(
        'NDIS_REVIEW_DOCS_URL is not an http(s) URL; rule pages are shown in the check run instead of linked',
      );
    }
    const journal = instance.journal;
    if (journal.problem) probot.log.warn(journal.problem);
    journal.onProblem = (problem) => {
      probot.log.warn(problem);
    };
    const recovery: RecoveryDeps = {
      requestFor: async (installation) => (await probot.auth(installation)).request,
      log: probot.log,
    };
    const deps: RunnerDeps = {
      clientFor: async (installation) => await probot.auth(installation),
      state: instance,
      recovery,
      log: probot.log,
      attach: (id, checkRunId) => {
        journal.attach(id, checkRunId);
      },
      ...(completeAtOnceMs !== undefined ? { completeAtOnceMs } : {}),
    };

    /** Puts a recorded job on the queue; false when the same work is already queued, running or just done. */
    const enqueue = (job: JobRecord, recovered: boolean): boolean => {
      const group = jobGroup(job.target);
      return instance.queue.enqueue({
        installation: job.installation,
        key: jobKey(job.target),
        ...(group !== undefined ? { group } : {}),
        // A job from before a restart runs whatever this process remembers.
        force: (job.force ?? false) || recovered,
        onDropped: (reason) => {
          // Dropped for a newer push: moot. Dropped by a shutdown: kept, for the next start.
          if (reason === 'superseded') journal.forget(job.id);
        },
        run: async (signal) => {
          const outcome = await runJob(job, deps, signal, recovered);
          if (outcome.kind === 'done') {
            instance.results.push(outcome.result);
            if (instance.results.length > 100) instance.results.shift();
          }
          const shutdown = signal.reason instanceof ShutdownReason;
          if (outcome.kind === 'failed-with-run')
            void outcome.settled.finally(() => {
              journal.forget(job.id);
            });
          // Stopped by a shutdown, or failed with nothing on GitHub: left recorded, for the next start.
          else if (outcome.kind === 'done' && !shutdown) journal.forget(job.id);
          if (outcome.kind !== 'done') throw outcome.error;
        },
      });
    };

    if (!options.dispatch) {
      // Jobs a crashed or killed process acknowledged: run again, completing the runs they had.
      for (const job of journal.leftBehind) enqueue(job, true);
      if (journal.leftBehind.length)
        probot.log.info({ jobs: journal.leftBehind.length }, 'jobs left by the previous process queued again');
      // Runs an earlier version listed without their jobs: completed as interrupted.
      void completeLeftBehind(journal.legacyRuns, recovery);
    }

    /** The newest `updated_at` seen per pull request: a late or redelivered older event must not supersede a newer head. */
    const newestEvent = new LRUCache<string, number>({ max: 10_000 });
    /**
     * Records the job before the handler returns (Probot answers the webhook
     * after its handlers), then queues it. `force`: the user asked for this
     * analysis again (re-run, re-requested), so a recent result does not stand in.
     */
    const submit = async (context: AnyContext, target: Target, force = false) => {
      const installation = (context.payload as { installation?: { id: number } }).installation?.id ?? 0;
      const job: JobRecord = { id: randomUUID(), installation, target, ...(force ? { force } : {}) };
      if (options.dispatch) {
        const group = jobGroup(target);
        await options.dispatch({ ...job, key: jobKey(target), ...(group !== undefined ? { group } : {}) });
        return;
      }
      journal.record(job);
      if (!enqueue(job, false)) journal.forget(job.id);
    };

    probot.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'],
      async (context) => {
        const pr = context.payload.pull_request;
        // Probot types repo() as never for this union of events; it is the payload repository.
        const { owner, repo } = context.repo() as { owner: string; repo: string };
        const group = `${owner}/${repo}#${String(pr.number)}`;
        const at = Date.parse(pr.updated_at);
        if (Number.isFinite(at)) {
          const newest = newestEvent.get(group);
          if (newest !== undefined && at < newest) {
            probot.log.info(
              { repo: `${owner}/${repo}`, pull: pr.number, sha: pr.head.sha },
              'event older than one already handled for this pull request: not analysed',
            );
            return;
          }
          newestEvent.set(group, at);
        }
        // Pull requests from forks work from this event: the head commit is reachable in the base repository.
        await submit(context, { owner, repo, headSha: pr.head.sha, baseSha: pr.base.sha, pullNumber: pr.number });
      },
    );
    probot.on(['check_suite.requested', 'check_suite.rerequested'], async (context) => {
      const suite = context.payload.check_suite;
      const { owner, repo } = context.repo();
      const force = context.payload.action === 'rerequested';
      await submit(
        context,
        checkTarget(owner, repo, context.payload.repository.id, suite.head_sha, suite.pull_requests),
        force,
      );
    });
    probot.on(['check_run.rerequested', 'check_run.requested_action'], async (context) => {
      const run = context.payload.check_run;
      const action = (context.payload as { requested_action?: { identifier?: string } }).requested_action;
      if (context.payload.action === 'requested_action' && action?.identifier !== RERUN_ACTION.identifier) return;
      if (run.name !== CHECK_NAME) return;
      // Another app's run of the same name is not ours to re-run.
      if (run.app?.id !== undefined && appId !== undefined && run.app.id !== appId) return;
      const { owner, repo } = context.repo();
      await submit(
        context,
        checkTarget(owner, repo, context.payload.repository.id, run.head_sha, run.pull_requests),
        true,
      );
    });
  };
  return { app, instance };
}

/** A pull request as check suite and check run events list them. */
interface ListedPullRequest {
  number: number;
  head: { sha: string };
  base: { sha: string; repo: { id: number } };
}

/**
 * What a check suite or check run event asks to analyse. Only pull requests
 * into this repository count (on a fork, GitHub may list the upstream's,
 * whose numbers mean nothing here). Only the pull request's current head is
 * reviewed and supersedes other analyses: a re-run of an older commit is
 * compared with the base but comments nowhere and cancels nothing.
 */
export function checkTarget(
  owner: string,
  repo: string,
  repositoryId: number,
  headSha: string,
  pullRequests: ListedPullRequest[],
): Target {
  const own = pullRequests.filter((p) => p.base.repo.id === repositoryId);
  const current = own.find((p) => p.head.sha === headSha);
  if (current) return { owner, repo, headSha, baseSha: current.base.sha, pullNumber: current.number };
  if (own[0]) return { owner, repo, headSha, baseSha: own[0].base.sha };
  return { owner, repo, headSha };
}

function appIdOf(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** `NDIS_REVIEW_DOCS_URL` when it is an http(s) URL (ending in `/`), else undefined. */
export function docsBase(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.href.endsWith('/') ? url.href : `${url.href}/`;
  } catch {
    return undefined;
  }
}

function badgeHandler(probot: Probot, appId: number | undefined, cache: BadgeCache | undefined) {
  return createBadgeHandler({
    ...(cache ? { cache } : {}),
    lookup: (owner, repo) =>
      latestConclusion(
        async (route, params) => (await probot.auth()).request(route, params),
        async (id) => {
          const o = await probot.auth(id);
          return (route, params) => o.request(route, params);
        },
        owner,
        repo,
        CHECK_NAME,
        appId,
      ),
  });
}

/** For `probot run`: the app built from the environment when Probot loads it. */
export default (probot: Probot, options?: ApplicationFunctionOptions): void => {
  createApp().app(probot, options);
};
