/**
 * One analysis of one commit, as a job. It creates the check run at once,
 * works out the result (configuration, head and base sources, scans, new
 * versus old findings), completes the run, and then does the follow-up
 * (annotation batches past 50, the review). Whatever fails before the run is
 * completed completes it with an explanation, so a pull request is never left
 * with a run in progress; whatever fails after it is noted in the run and
 * never changes a conclusion already given.
 */
import type { FactCache } from '../engine/cache.js';
import { loadRulePack, readRuleDoc } from '../engine/rulepack.js';
import { scan } from '../engine/scan.js';
import type { Finding, Notice } from '../engine/types.js';
import {
  boundedRequest,
  BudgetExceeded,
  CHECK_RUN_REQUEST_MS,
  describe,
  outOfTime,
  requestWithin,
  withinBudget,
} from './calls.js';
import { applyRuleConfig, batchAnnotations, classify, fitCheckRunText, renderCheckRun } from './checkrun.js';
import { parseConfig, pathMatches } from './config.js';
import { ShutdownReason } from './jobs.js';
import { mergeBase, postReview, pullRequestFiles, renamesOf } from './pullrequest.js';
import { fetchSources, type BlobCache, type Request } from './source.js';
import type { AppConfig, ClassifiedFindings, PullRequestFile } from './types.js';

export const CHECK_NAME = 'ndis-review';

/** The check run's button (GitHub limits: label 20, description 40, identifier 20 characters). */
export const RERUN_ACTION = { label: 'Re-run', description: 'Analyse this commit again', identifier: 'rerun' };

export interface Target {
  owner: string;
  repo: string;
  headSha: string;
  /** The pull request's base commit (its merge base with head is what findings are compared with). */
  baseSha?: string;
  /** Set when the head is the pull request's current head: review comments go there. */
  pullNumber?: number;
}

export interface AnalysisState {
  facts: FactCache;
  blobs: BlobCache;
  /** Where rule pages are published (`NDIS_REVIEW_DOCS_URL`); without it the pages are shown in the run itself. */
  docsBaseUrl?: string;
  /** This app's ID (`APP_ID`), written into review comment markers. */
  appId?: number;
}

/** The configuration as read: the parsed YAML, or why it could not be read. */
export type RawConfig = { value: unknown } | { error: string };

export interface AnalysisResult {
  checkRunId: number;
  conclusion: string;
  /** GitHub requests this analysis made. */
  requests: number;
  /** Source files read from a tarball / the blob cache, for the log. */
  archived?: number;
  cached?: number;
  /** Why a tarball could not be used (its files were fetched as blobs instead), for the log. */
  archiveError?: string;
  /** What failed after the run was completed (its conclusion stands), for the log. */
  followUpError?: string;
}

/** Longest an analysis may take before its check run is completed with an explanation. */
export const TIME_BUDGET_MS = 5 * 60_000;

export interface AnalyzeOptions {
  /** Longest the analysis may take (default `TIME_BUDGET_MS`). */
  budgetMs?: number;
  /** The run created `queued` while the job waited (see `createQueuedRun`); otherwise one is created. */
  queuedRunId?: number;
  /** Told the run's ID as soon as there is one (to remember runs in flight across a crash). */
  onCheckRun?: (checkRunId: number) => void;
  /** Told when the run is completed on GitHub (before the follow-up: batches, review). */
  onCompleted?: (checkRunId: number) => void;
}

/** What the analysis found, ready to send. */
interface Outcome {
  config: AppConfig;
  classified: ClassifiedFindings;
  conclusion: string;
  title: string;
  summary: string;
  text?: string;
  batches: ReturnType<typeof batchAnnotations>;
  files?: PullRequestFile[];
  sources: Pick<AnalysisResult, 'archived' | 'cached' | 'archiveError'>;
}

export async function analyze(
  request: Request,
  target: Target,
  readConfig: () => Promise<RawConfig>,
  state: AnalysisState,
  signal: AbortSignal,
  options: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const { budgetMs = TIME_BUDGET_MS, queuedRunId, onCheckRun } = options;
  const deadline = Date.now() + budgetMs;
  const { call, count } = boundedRequest(request, signal, deadline, budgetMs);
  // Probot's config loader makes its own requests: bounded by the budget and the job's abort here.
  const readConfigBounded = () => withinBudget(readConfig(), signal, deadline, budgetMs);
  const repo = { owner: target.owner, repo: target.repo };

  const inProgress = { status: 'in_progress', started_at: new Date().toISOString() };
  let checkRunId: number;
  if (queuedRunId !== undefined && !signal.aborted) {
    // Only a status on the way: if it fails, the completion below still ends the run.
    await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...repo,
      check_run_id: queuedRunId,
      ...inProgress,
    }).catch(() => undefined);
    checkRunId = queuedRunId;
  } else if (queuedRunId !== undefined) {
    checkRunId = queuedRunId;
  } else {
    checkRunId = (
      (
        await call('POST /repos/{owner}/{repo}/check-runs', {
          ...repo,
          name: CHECK_NAME,
          head_sha: target.headSha,
          ...inProgress,
        })
      ).data as { id: number }
    ).id;
  }
  onCheckRun?.(checkRunId);
  const result = (conclusion: string, extra: Partial<AnalysisResult> = {}): AnalysisResult => ({
    checkRunId,
    conclusion,
    requests: count(),
    ...extra,
  });
  const complete = async (conclusion: string, output: Record<string, unknown>) => {
    await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...repo,
      check_run_id: checkRunId,
      status: 'completed',
      conclusion,
      completed_at: new Date().toISOString(),
      output,
      // A button on the run; GitHub sends check_run.requested_action when pressed.
      actions: [RERUN_ACTION],
    });
    // From here the run has its conclusion: nothing may later mark it interrupted.
    options.onCompleted?.(checkRunId);
  };
  const stopped = async (): Promise<AnalysisResult> => {
    const shutdown = signal.reason instanceof ShutdownReason;
    await complete(
      'cancelled',
      shutdown
        ? {
            title: 'ndis-review restarted before finishing',
            summary:
              'The app was stopped (a restart or a deploy) before it could analyse this commit. Press **Re-run** to analyse it.',
          }
        : {
            title: 'Superseded by a newer push',
            summary: 'A newer commit of this pull request is being analysed instead.',
          },
    );
    return result('cancelled');
  };

  let outcome: Outcome | undefined;
  try {
    // A job started only to be stopped (the app is shutting down) still says so on GitHub.
    if (!signal.aborted) outcome = await work(call, target, readConfigBounded, state, signal);
  } catch (err) {
    if (!signal.aborted) {
      await complete('neutral', {
        title: outOfTime(err) ? 'ndis-review ran out of time' : 'ndis-review could not finish this analysis',
        summary: `The analysis stopped: ${describe(err)}.\n\nNo findings are reported for this commit. Re-run the check to try again.`,
      });
      return result('neutral');
    }
  }
  if (!outcome || signal.aborted) return stopped();

  const o = outcome;
  const output = (annotations: unknown[], summary = o.summary) => ({
    title: o.title,
    summary,
    ...(o.text ? { text: o.text } : {}),
    annotations,
  });
  await complete(o.conclusion, output(o.batches[0] ?? []));

  // The result stands from here: a failure is noted in the run, never turned into another conclusion.
  try {
    // The API takes 50 annotations a request; later updates append to the run.
    for (const batch of o.batches.slice(1)) {
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: checkRunId,
        output: output(batch),
      });
    }
    if (target.pullNumber !== undefined && o.files && o.config.reviewComments) {
      const findings =
        o.config.report === 'all' ? [...o.classified.added, ...o.classified.existing] : o.classified.added;
      await postReview(call, repo, target.pullNumber, target.headSha, o.files, findings, {
        ...(state.appId !== undefined ? { appId: state.appId } : {}),
        ...(state.docsBaseUrl !== undefined ? { docsBaseUrl: state.docsBaseUrl } : {}),
      });
    }
  } catch (err) {
    const why = describe(err);
    if (!signal.aborted) {
      const note = `> **Note:** the findings below stand, but ndis-review could not finish posting them (${why}); some annotations or review comments may be missing. Re-run the check to post them again.\n\n`;
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: checkRunId,
        output: output([], fitCheckRunText(note + o.summary)),
      }).catch(() => undefined);
    }
    return result(o.conclusion, { ...o.sources, followUpError: why });
  }
  return result(o.conclusion, o.sources);
}

/**
 * A run in the `queued` state, created as soon as a job has to wait behind
 * another of its installation, so the pull request shows the check at once.
 */
export async function createQueuedRun(request: Request, target: Target): Promise<number> {
  // Bounded: the job waits for this run's ID before it starts.
  const res = await requestWithin(request, CHECK_RUN_REQUEST_MS, 'POST /repos/{owner}/{repo}/check-runs', {
    owner: target.owner,
    repo: target.repo,
    name: CHECK_NAME,
    head_sha: target.headSha,
    status: 'queued',
  });
  return (res.data as { id: number }).id;
}

/** Completes the queued run of a job dropped before it ran: for a newer push, or because the app is stopping. */
export async function cancelQueuedRun(
  request: Request,
  target: Target,
  checkRunId: number,
  reason: 'superseded' | 'shutdown' = 'superseded',
): Promise<void> {
  await requestWithin(request, CHECK_RUN_REQUEST_MS, 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    owner: target.owner,
    repo: target.repo,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: 'cancelled',
    completed_at: new Date().toISOString(),
    output:
      reason === 'shutdown'
        ? {
            title: 'ndis-review restarted before finishing',
            summary:
              'The app was stopped (a restart or a deploy) before it could analyse this commit. Press **Re-run** to analyse it.',
          }
        : { title: 'Superseded by a newer push', summary: 'A newer commit of this pull request is analysed instead.' },
    actions: [RERUN_ACTION],
  });
}

/** Everything between creating the run and completing it; throws to have the run say why it stopped. */
async function work(
  call: Request,
  target: Target,
  readConfig: () => Promise<RawConfig>,
  state: AnalysisState,
  signal: AbortSignal,
): Promise<Outcome | undefined> {
  const repo = { owner: target.owner, repo: target.repo };
  const raw = await readConfig();
  const ruleIds = loadRulePack().rules.map((r) => r.id);
  const parsed =
    'error' in raw
      ? {
          config: parseConfig(null, ruleIds).config,
          errors: [`.github/ndis-review.yml could not be read: ${raw.error}`],
        }
      : parseConfig(raw.value, ruleIds);
  const config = parsed.config;
  const include = (p: string) => pathMatches(p, config.paths);

  const head = await fetchSources(call, { ...repo, ref: target.headSha, include }, state.blobs);
  if (signal.aborted) return undefined;
  const headScan = await scan({
    root: `${target.owner}/${target.repo}@${target.headSha}`,
    files: head.files,
    cache: state.facts,
  });
  // Read before the base: a renamed file's findings keep their identity only if the base file takes its new name.
  const files = target.pullNumber !== undefined ? await pullRequestFiles(call, repo, target.pullNumber) : undefined;

  let baseFindings: Finding[] = [];
  const notices: Notice[] = [...head.notices, ...headScan.notices];
  if (target.baseSha) {
    const baseRef = await mergeBase(
      call,
      repo,
      target.baseSha,
      target.headSha,
      (err) => signal.aborted || err instanceof BudgetExceeded,
    );
    const renames = renamesOf(files ?? []);
    const rename = (p: string) => renames.get(p) ?? p;
    const base = await fetchSources(call, { ...repo, ref: baseRef, include: (p) => include(rename(p)) }, state.blobs);
    if (signal.aborted) return undefined;
    const baseFiles = base.files.map((f) => (renames.has(f.path) ? { ...f, path: rename(f.path) } : f));
    baseFindings = (
      await scan({ root: `${target.owner}/${target.repo}@${baseRef}`, files: baseFiles, cache: state.facts })
    ).findings;
    // What could not be read in the base can make an old finding look new: say so.
    for (const n of base.notices)
      notices.push({ ...n, message: `In the base commit ${baseRef.slice(0, 7)}: ${n.message}` });
  }
  const classified = classify(
    applyRuleConfig(headScan.findings, config.rules),
    applyRuleConfig(baseFindings, config.rules),
  );
  const report = renderCheckRun({
    classified,
    config,
    rules: headScan.rules,
    notices,
    files: headScan.files,
    headSha: target.headSha,
    ...(state.docsBaseUrl !== undefined ? { docsBaseUrl: state.docsBaseUrl } : {}),
    ruleDocText: ruleDocTexts(headScan.rules),
  });
  return {
    config,
    classified,
    conclusion: report.conclusion,
    title: report.title,
    summary: withConfigErrors(report.summary, parsed.errors),
    ...(report.text ? { text: report.text } : {}),
    batches: batchAnnotations(report.annotations),
    ...(files ? { files } : {}),
    sources: {
      archived: head.archived,
      cached: head.cached,
      ...(head.archiveError !== undefined ? { archiveError: head.archiveError } : {}),
    },
  };
}

const docTexts = new Map<string, string>();
/** The rule pages, read once per process. */
function ruleDocTexts(rules: { id: string; docs: string }[]): Map<string, string> {
  for (const r of rules) {
    if (docTexts.has(r.id)) continue;
    const text = readRuleDoc(r.docs);
    if (text !== undefined) docTexts.set(r.id, text);
  }
  return docTexts;
}

/** The configuration's errors above the summary, the whole kept within GitHub's byte limit. */
function withConfigErrors(summary: string, errors: string[]): string {
  if (!errors.length) return summary;
  const list = errors
    .slice(0, 50)
    .map((e) => `- ${e.slice(0, 500).replace(/[<>`|]/g, (c) => `\\${c}`)}`)
    .join('\n');
  return fitCheckRunText(
    `**.github/ndis-review.yml has errors**; the defaults were used for these settings:\n\n${list}\n\n${summary}`,
  );
}
