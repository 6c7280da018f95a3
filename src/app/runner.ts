/**
 * Runs one recorded job, the same way in the single process and in a fleet
 * worker: the installation's client, the base branch's configuration, the
 * analysis, and what happens when it fails after its run exists (the run is
 * completed in the background, with retries, so it is never left open).
 */
import { analyze, type AnalysisResult, type AnalysisState, type RawConfig, type Target } from './analyze.js';
import { describe } from './calls.js';
import type { InflightRun, JobRecord } from './inflight.js';
import { completeRun, FAILED_OUTPUT, type RecoveryDeps } from './recovery.js';
import type { Request } from './source.js';

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

/** An installation's client, as `probot.auth(installation)` gives it. */
export type InstallationClient = ConfigReader & { request: unknown };

export interface Logger {
  info: (fields: object, msg: string) => void;
  warn: (fields: object, msg: string) => void;
  error: (fields: object, msg: string) => void;
}

export interface RunnerDeps {
  clientFor: (installation: number) => Promise<InstallationClient>;
  state: AnalysisState;
  recovery: RecoveryDeps;
  log: Logger;
  /** Told the job's run as soon as it exists (to find it again after a crash). */
  attach: (jobId: string, checkRunId: number) => void;
  /** Analyses finishing within this are reported in one write (NDIS_REVIEW_COMPLETE_AT_ONCE_MS). */
  completeAtOnceMs?: number;
}

export type JobOutcome =
  | { kind: 'done'; result: AnalysisResult }
  /** Failed after its run existed: the run is being completed in the background; `settled` when that ends. */
  | { kind: 'failed-with-run'; error: unknown; settled: Promise<boolean> }
  /** Failed before any run existed (GitHub refused every write): nothing on GitHub to complete. */
  | { kind: 'failed'; error: unknown };

export async function runJob(
  job: JobRecord,
  deps: RunnerDeps,
  signal: AbortSignal,
  recovered = false,
): Promise<JobOutcome> {
  const { target } = job;
  const where = `${target.owner}/${target.repo}`;
  let runId = job.checkRunId;
  let completed = false as boolean; // set by the onCompleted callback
  let result: AnalysisResult;
  try {
    const client = await deps.clientFor(job.installation);
    result = await analyze(
      client.request as Request,
      target,
      () => readBaseConfig(client, target),
      deps.state,
      signal,
      {
        externalId: job.id,
        ...(deps.completeAtOnceMs !== undefined ? { completeAtOnceMs: deps.completeAtOnceMs } : {}),
        ...(job.checkRunId !== undefined ? { existingRunId: job.checkRunId } : {}),
        recovered,
        onCheckRun: (id) => {
          runId = id;
          deps.attach(job.id, id);
        },
        onCompleted: () => {
          completed = true;
        },
      },
    );
  } catch (error) {
    deps.log.error({ repo: where, sha: target.headSha, err: describe(error) }, 'analysis job failed');
    if (runId !== undefined && !completed) {
      const run: InflightRun = {
        installation: job.installation,
        owner: target.owner,
        repo: target.repo,
        checkRunId: runId,
      };
      // The run exists but GitHub did not take its completion: keep trying, in the background.
      return { kind: 'failed-with-run', error, settled: completeRun(run, deps.recovery, FAILED_OUTPUT) };
    }
    return { kind: 'failed', error };
  }
  const { conclusion, requests, archived, cached, archiveError } = result;
  deps.log.info({ repo: where, sha: target.headSha, conclusion, requests, archived, cached }, 'analysis complete');
  if (archiveError !== undefined)
    deps.log.warn(
      { repo: where, sha: target.headSha, reason: archiveError },
      'tarball not used; files were fetched as blobs',
    );
  return { kind: 'done', result };
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
      error: describe(err).slice(0, 300),
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

/** The queue key of a job: one job per repository, head and pull request. */
export function jobKey(target: Target): string {
  return `${target.owner}/${target.repo}@${target.headSha}${target.pullNumber !== undefined ? `#${String(target.pullNumber)}` : ''}`;
}

/** Jobs of one group supersede each other: the pull request. */
export function jobGroup(target: Target): string | undefined {
  return target.pullNumber !== undefined ? `${target.owner}/${target.repo}#${String(target.pullNumber)}` : undefined;
}
