/**
 * Completing check runs the normal path could not complete: those a crashed
 * or killed process left in progress (found at the next start), and those
 * whose analysis failed after the run existed. Transient failures are
 * retried after growing delays; a run GitHub no longer lets the app reach
 * (uninstalled, deleted) is dropped from the list.
 */
import { RERUN_ACTION } from './analyze.js';
import { CHECK_RUN_REQUEST_MS, describe, requestWithin } from './calls.js';
import type { InflightRun, InflightRuns } from './inflight.js';
import type { Request } from './source.js';

export const INTERRUPTED_OUTPUT = {
  title: 'ndis-review was interrupted',
  summary:
    'The app stopped unexpectedly (a crash or a kill) while analysing this commit, so no findings are reported. Press **Re-run** to analyse it.',
};

export const FAILED_OUTPUT = {
  title: 'ndis-review could not finish this analysis',
  summary:
    'GitHub did not accept the result of this analysis, so no findings are reported. Press **Re-run** to analyse it.',
};

export interface RecoveryDeps {
  /** An installation's `octokit.request`. */
  requestFor: (installation: number) => Promise<Request>;
  inflight: InflightRuns;
  log: { info: (fields: object, msg: string) => void; warn: (fields: object, msg: string) => void };
  /** Waits before each retry (the first attempt is at once). */
  retryDelaysMs?: number[];
}

const PERMANENT = new Set([401, 403, 404, 410, 422]);

/** Completes one run as `neutral` with `output`; resolves true when GitHub took it. */
export async function completeRun(
  run: InflightRun,
  deps: RecoveryDeps,
  output: { title: string; summary: string },
): Promise<boolean> {
  const delays = [0, ...(deps.retryDelaysMs ?? [10_000, 60_000, 300_000])];
  const fields = { repo: `${run.owner}/${run.repo}`, checkRunId: run.checkRunId, installation: run.installation };
  for (let attempt = 0; attempt < delays.length; attempt++) {
    // Unref'd: a retry waiting must not keep a stopping process alive.
    if (delays[attempt] > 0) await new Promise((r) => setTimeout(r, delays[attempt]).unref());
    try {
      const request = await deps.requestFor(run.installation);
      await requestWithin(request, CHECK_RUN_REQUEST_MS, 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: run.owner,
        repo: run.repo,
        check_run_id: run.checkRunId,
        status: 'completed',
        conclusion: 'neutral',
        completed_at: new Date().toISOString(),
        output,
        actions: [RERUN_ACTION],
      });
      deps.inflight.remove(run.checkRunId);
      deps.log.info(fields, `check run completed: ${output.title}`);
      return true;
    } catch (err) {
      const status = (err as { status?: number }).status;
      const permanent = status !== undefined && PERMANENT.has(status);
      deps.log.warn(
        { ...fields, attempt: attempt + 1, reason: describe(err) },
        permanent || attempt === delays.length - 1
          ? 'gave up completing a check run'
          : 'could not complete a check run; will retry',
      );
      if (permanent) {
        deps.inflight.remove(run.checkRunId);
        return false;
      }
    }
  }
  return false;
}

/** At start: completes every run an earlier process left in progress. */
export async function completeLeftBehind(deps: RecoveryDeps): Promise<void> {
  await Promise.all(deps.inflight.leftBehind.map((run) => completeRun(run, deps, INTERRUPTED_OUTPUT)));
}
