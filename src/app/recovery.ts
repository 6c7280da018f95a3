/**
 * Completing check runs the normal path could not complete: those whose
 * analysis failed after the run existed, those an earlier version left in
 * progress, and (in the fleet) those of a worker that died with no retry
 * left for its job. Transient failures are retried after growing delays; a
 * run GitHub no longer lets the app reach (uninstalled, deleted) is given up.
 * Such runs conclude `cancelled`: never a conclusion that passes.
 */
import { RERUN_ACTION } from './analyze.js';
import { CHECK_RUN_REQUEST_MS, describe, requestWithin } from './calls.js';
import type { InflightRun } from './inflight.js';
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
  /** Told when a run no longer needs completing (completed, or out of reach for good). */
  done?: (run: InflightRun) => void;
  log: { info: (fields: object, msg: string) => void; warn: (fields: object, msg: string) => void };
  /** Waits before each retry (the first attempt is at once). */
  retryDelaysMs?: number[];
}

const PERMANENT = new Set([401, 403, 404, 410, 422]);

/** Completes one run as `cancelled` with `output`; resolves true when GitHub took it. */
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
        conclusion: 'cancelled',
        completed_at: new Date().toISOString(),
        output,
        actions: [RERUN_ACTION],
      });
      deps.done?.(run);
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
        deps.done?.(run);
        return false;
      }
    }
  }
  return false;
}

/** Completes runs that no job will complete (an earlier version's list), saying they were interrupted. */
export async function completeLeftBehind(runs: InflightRun[], deps: RecoveryDeps): Promise<void> {
  await Promise.all(runs.map((run) => completeRun(run, deps, INTERRUPTED_OUTPUT)));
}
