/**
 * The GitHub App (Probot 14): an adapter around the engine. Handlers turn
 * events into "analyse this commit of this repository (for this pull
 * request)" jobs and return at once; the job queue runs them after the
 * webhook is acknowledged. Facts and blobs are cached in memory across
 * jobs, so a new push re-reads and re-parses only what changed.
 */
import type { ApplicationFunctionOptions, Context, Probot } from 'probot';
import { FactCache } from '../engine/cache.js';
import {
  analyze,
  cancelQueuedRun,
  CHECK_NAME,
  createQueuedRun,
  RERUN_ACTION,
  type AnalysisResult,
  type AnalysisState,
  type RawConfig,
  type Target,
} from './analyze.js';
import { createBadgeHandler, latestConclusion } from './badge.js';
import { InflightRuns } from './inflight.js';
import { completeLeftBehind, completeRun, FAILED_OUTPUT, type RecoveryDeps } from './recovery.js';
import { LRUCache } from 'lru-cache';
import { JobQueue, type JobSpec } from './jobs.js';
import { BlobCache, type Request } from './source.js';
import { describe as describeError } from './calls.js';

export interface AppInstance extends AnalysisState {
  queue: JobQueue;
  /** Check runs created and not yet completed (kept on disk with NDIS_REVIEW_STATE_DIR). */
  inflight: InflightRuns;
  /** Completed analyses, newest last (for tests and diagnostics; bounded). */
  results: AnalysisResult[];
}

type AnyContext = Context<'pull_request' | 'check_suite' | 'check_run'>;

/** Builds the app function and the state it keeps, so tests can wait for its jobs. */
export function createApp(env: NodeJS.ProcessEnv = process.env): {
  app: (probot: Probot, options?: ApplicationFunctionOptions) => void;
  instance: AppInstance;
} {
  const docsBaseUrl = docsBase(env.NDIS_REVIEW_DOCS_URL);
  const appId = appIdOf(env.APP_ID);
  // The log is Probot's, known only when the app function runs; until then failures have nowhere to go.
  let logJobError: (spec: JobSpec, err: unknown) => void = () => undefined;
  const instance: AppInstance = {
    facts: new FactCache(),
    blobs: new BlobCache(),
    queue: new JobQueue((spec, err) => {
      logJobError(spec, err);
    }),
    results: [],
    ...(docsBaseUrl !== undefined ? { docsBaseUrl } : {}),
    ...(appId !== undefined ? { appId } : {}),
    inflight: new InflightRuns(env.NDIS_REVIEW_STATE_DIR || undefined),
  };
  const app = (probot: Probot, options?: ApplicationFunctionOptions) => {
    // Badges: served beside the webhook route when Probot's server runs the app
    // (Probot.load without a server offers an addHandler that throws).
    try {
      options?.addHandler?.(badgeHandler(probot, appId));
    } catch {
      probot.log.debug('no HTTP server: badge routes not mounted');
    }
    if (env.NDIS_REVIEW_DOCS_URL && docsBaseUrl === undefined) {
      probot.log.warn(
        'NDIS_REVIEW_DOCS_URL is not an http(s) URL; rule pages are shown in the check run instead of linked',
      );
    }
    if (instance.inflight.problem) probot.log.warn(instance.inflight.problem);
    instance.inflight.onProblem = (problem) => {
      probot.log.warn(problem);
    };
    const recovery: RecoveryDeps = {
      requestFor: async (installation) => {
        const o = await probot.auth(installation);
        return o.request;
      },
      inflight: instance.inflight,
      log: probot.log,
    };
    // Runs a crashed or killed process left in progress are completed first, saying why.
    void completeLeftBehind(recovery);
    /** The newest `updated_at` seen per pull request: a late or redelivered older event must not supersede a newer head. */
    const newestEvent = new LRUCache<string, number>({ max: 10_000 });
    logJobError = (spec, err) => {
      probot.log.error({ job: spec.key, err: describeError(err) }, 'analysis job failed');
    };
    /** `force`: the user asked for this analysis again (re-run, re-requested), so a recent result does not stand in. */
    const submit = (context: AnyContext, target: Target, force = false) => {
      const installation = (context.payload as { installation?: { id: number } }).installation?.id ?? 0;
      const where = `${target.owner}/${target.repo}`;
      const remember = (checkRunId: number) => {
        instance.inflight.add({ installation, owner: target.owner, repo: target.repo, checkRunId });
      };
      const request = context.octokit.request as unknown as Request;
      // A job that waits behind another shows its check as queued at once.
      let queuedRun: Promise<number | undefined> | undefined;
      const logFailure = (what: string) => (err: unknown) => {
        probot.log.warn({ repo: where, sha: target.headSha, err: describeError(err) }, what);
        return undefined;
      };
      instance.queue.enqueue({
        installation,
        key: `${where}@${target.headSha}${target.pullNumber !== undefined ? `#${target.pullNumber}` : ''}`,
        ...(target.pullNumber !== undefined ? { group: `${where}#${target.pullNumber}` } : {}),
        force,
        onWaiting: () => {
          queuedRun = createQueuedRun(request, target).then((id) => {
            remember(id);
            return id;
          }, logFailure('could not create the queued check run'));
        },
        onDropped: (reason) =>
          queuedRun
            ?.then(async (id) => {
              if (id !== undefined) {
                await cancelQueuedRun(request, target, id, reason);
                instance.inflight.remove(id);
              }
            })
            .catch(logFailure('could not cancel the queued check run')),
        run: async (signal) => {
          const queuedRunId = await queuedRun;
          let runId: number | undefined;
          let completed = false;
          let result: AnalysisResult;
          try {
            result = await analyze(request, target, () => readBaseConfig(context.octokit, target), instance, signal, {
              ...(queuedRunId !== undefined ? { queuedRunId } : {}),
              onCheckRun: (id) => {
                runId = id;
                remember(id);
              },
              onCompleted: (id) => {
                completed = true;
                instance.inflight.remove(id);
              },
            });
          } catch (err) {
            // The run exists but GitHub did not take its completion: keep trying, in the background.
            if (runId !== undefined && !completed)
              void completeRun(
                { installation, owner: target.owner, repo: target.repo, checkRunId: runId },
                recovery,
                FAILED_OUTPUT,
              );
            throw err;
          }
          instance.results.push(result);
          if (instance.results.length > 100) instance.results.shift();
          const { conclusion, requests, archived, cached, archiveError } = result;
          probot.log.info(
            { repo: where, sha: target.headSha, conclusion, requests, archived, cached },
            'analysis complete',
          );
          if (archiveError !== undefined)
            probot.log.warn(
              { repo: where, sha: target.headSha, reason: archiveError },
              'tarball not used; files were fetched as blobs',
            );
        },
      });
    };

    probot.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'],
      async (context) => {
        const pr = context.payload.pull_request;
        const { owner, repo } = context.repo();
        const group = `${owner}/${repo}#${pr.number}`;
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
        submit(context, { owner, repo, headSha: pr.head.sha, baseSha: pr.base.sha, pullNumber: pr.number });
      },
    );
    probot.on(['check_suite.requested', 'check_suite.rerequested'], async (context) => {
      const suite = context.payload.check_suite;
      const { owner, repo } = context.repo();
      const force = context.payload.action === 'rerequested';
      submit(
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
      submit(context, checkTarget(owner, repo, context.payload.repository.id, run.head_sha, run.pull_requests), true);
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

function badgeHandler(probot: Probot, appId: number | undefined) {
  return createBadgeHandler({
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

/** What reads the configuration: Probot's Octokit with its config plugin. */
export interface ConfigReader {
  config: {
    get: (params: {
      owner: string;
      repo: string;
      path: string;
      branch?: string;
      defaults?: (configs: Record<string, unknown>[]) => Record<string, unknown>;
    }) => Promise<{ config: unknown; files: { config: unknown }[] }>;
  };
}

/**
 * `.github/ndis-review.yml` as the base branch has it, through Probot's
 * config loader (the organisation's `.github` repository when the
 * repository has none, `_extends`). Never the pull request's own copy: a
 * pull request, from a fork or not, must not switch rules off for itself.
 * Without a base (a branch push outside a pull request), the default
 * branch's. A broken file becomes a reason, not a crash.
 */
export async function readBaseConfig(octokit: ConfigReader, target: Target): Promise<RawConfig> {
  try {
    const { config, files } = await octokit.config.get({
      owner: target.owner,
      repo: target.repo,
      path: '.github/ndis-review.yml',
      ...(target.baseSha !== undefined ? { branch: target.baseSha } : {}),
      defaults: (configs) => configs.reduce<Record<string, unknown>>((acc, c) => mergeConfig(acc, c), {}),
    });
    return { value: files.some((f) => f.config !== null) ? config : null };
  } catch (err) {
    return {
      error: describeError(err).slice(0, 300),
    };
  }
}

/** Probot's merge of extended configurations: objects merged key by key, lists joined. */
function mergeConfig(base: unknown, over: unknown): Record<string, unknown> {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(base) || !isObject(over)) return isObject(over) ? over : {};
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    if (Array.isArray(prev) && Array.isArray(v)) out[k] = [...(prev as unknown[]), ...(v as unknown[])];
    else if (isObject(prev) && isObject(v)) out[k] = mergeConfig(prev, v);
    else out[k] = v;
  }
  return out;
}

export default createApp().app;
