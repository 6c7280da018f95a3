/**
 * One analysis of one commit, as a job. It creates the check run at once,
 * works out the result (configuration, head and base sources, scans, new
 * versus old findings), completes the run, and then does the follow-up
 * (annotation batches past 50, the review). Whatever fails before the run is
 * completed completes it with an explanation, so a pull request is never left
 * with a run in progress; whatever fails after it is noted in the run and
 * never changes a conclusion already given.
 */
import {
  isSourcePath,
  loadRulePack,
  readRuleDocs,
  scan,
  type FactCache,
  type Notice,
  type ScanResult,
} from '../index.js';
import { boundedRequest, BudgetExceeded, describe, outOfTime, withinBudget } from './calls.js';
import { batchAnnotations, fitCheckRunText, renderCheckRun } from './checkrun.js';
import { parseConfig } from './config.js';
import { reviewPullRequest } from '../review/pull-request.js';
import { sourceTexts } from '../review/fixes.js';
import { rulesOn } from '../review/rule-config.js';
import { ShutdownReason } from './jobs.js';
import { AnalysisLimitExceeded, type AnalysisClock, type AnalysisPool } from './pool.js';
import type { ScanFile } from './scan-worker.js';
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

/** A fact store shared by processes (the fleet's Redis), by blob SHA. */
/** Facts shared with other processes, by blob SHA, as serialized entries (see scan-worker.ts). */
export interface SharedFacts {
  load: (shas: string[]) => Promise<[string, Uint8Array][]>;
  store: (fresh: [string, Uint8Array][]) => Promise<void>;
}

export interface AnalysisState {
  /** Facts for scans in this thread (no pool: tests and tools). */
  facts: FactCache;
  blobs: BlobCache;
  /** Where scans run (worker threads with time and memory limits); without one, in this thread. */
  pool?: AnalysisPool;
  /** Facts shared with other processes. */
  sharedFacts?: SharedFacts;
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
  /** The job's identity, written on its run as `external_id`: a create retried, or a restarted job, finds its run by it. */
  externalId?: string;
  /** A run this job made before (before a restart): completed instead of a new one. */
  existingRunId?: number;
  /** The job was recorded by a process that stopped before finishing it: look for its run before creating one. */
  recovered?: boolean;
  /** Analyses finishing within this create their run completed, in one write (default COMPLETE_AT_ONCE_MS). */
  completeAtOnceMs?: number;
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
  /** Head's text of the pull request's files: fixes on changed lines become suggested changes. */
  texts?: ReadonlyMap<string, string>;
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
  const { budgetMs = TIME_BUDGET_MS, onCheckRun } = options;
  const deadline = Date.now() + budgetMs;
  const { call, count } = boundedRequest(request, signal, deadline, budgetMs);
  // Probot's config loader makes its own requests: bounded by the budget and the job's abort here.
  const readConfigBounded = () => withinBudget(readConfig(), signal, deadline, budgetMs);
  const repo = { owner: target.owner, repo: target.repo };
  const startedAt = new Date().toISOString();

  /** The run, once it exists: known from an earlier attempt, found, or created here. */
  let checkRunId = options.existingRunId;
  if (checkRunId === undefined && options.recovered && options.externalId !== undefined) {
    // A restarted job: its run may exist though its ID never came back (the process died mid-create).
    checkRunId = await findRun(call, target, options.externalId).catch(() => undefined);
  }
  if (checkRunId !== undefined) onCheckRun?.(checkRunId);
  const result = (conclusion: string, extra: Partial<AnalysisResult> = {}): AnalysisResult => ({
    checkRunId: checkRunId ?? 0,
    conclusion,
    requests: count(),
    ...extra,
  });
  /** Writes the run's final state: one create when no run exists yet, else a completion. */
  const complete = async (conclusion: string, output: Record<string, unknown>) => {
    const done = {
      status: 'completed',
      conclusion,
      completed_at: new Date().toISOString(),
      output,
      // A button on the run; GitHub sends check_run.requested_action when pressed.
      actions: [RERUN_ACTION],
    };
    if (checkRunId === undefined) {
      checkRunId = await createRun(call, target, { started_at: startedAt, ...done }, options.externalId);
      onCheckRun?.(checkRunId);
    } else {
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: checkRunId,
        ...done,
      });
    }
    // From here the run has its conclusion: nothing may later mark it interrupted.
    options.onCompleted?.(checkRunId);
  };
  const stopped = async (): Promise<AnalysisResult> => {
    // A job stopped before it showed a run leaves nothing behind: a newer push has its own run, and a
    // job stopped by a shutdown is analysed again at the next start (it stays recorded).
    if (checkRunId === undefined) return result('cancelled');
    const shutdown = signal.reason instanceof ShutdownReason;
    await complete(
      'cancelled',
      shutdown
        ? {
            title: 'ndis-review restarted before finishing',
            summary:
              'The app was stopped (a restart or a deploy) before it could analyse this commit. It analyses it again when it starts; press **Re-run** if no result follows.',
          }
        : {
            title: 'Superseded by a newer push',
            summary: 'A newer commit of this pull request is being analysed instead.',
          },
    );
    return result('cancelled');
  };

  // A job stopped before it started (a shutdown while it waited) reads nothing more.
  if (isAborted(signal)) return stopped();

  // The analysis starts at once; the run is created only if it takes longer than about a second,
  // so a quick analysis shows on GitHub as one write: a run created already completed.
  const working = work(call, target, readConfigBounded, state, signal).then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  const quick = await settledWithin(working, options.completeAtOnceMs ?? COMPLETE_AT_ONCE_MS);
  if (!quick && !isAborted(signal)) {
    if (checkRunId === undefined) {
      checkRunId = await createRun(call, target, { status: 'in_progress', started_at: startedAt }, options.externalId);
      onCheckRun?.(checkRunId);
    } else {
      // A run from before a restart, shown in progress again (only a status: the completion ends it anyway).
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: checkRunId,
        status: 'in_progress',
      }).catch(() => undefined);
    }
  }
  const settled = await working;

  if ('error' in settled) {
    if (isAborted(signal)) return stopped();
    const err = settled.error;
    const limit = err instanceof AnalysisLimitExceeded ? err : undefined;
    // Not `neutral`: GitHub counts neutral as passing, and a result not reached must never pass.
    await complete('failure', {
      title: limit
        ? limit.kind === 'time'
          ? 'ndis-review stopped: the analysis hit its time limit'
          : 'ndis-review stopped: the analysis hit its memory limit'
        : outOfTime(err)
          ? 'ndis-review ran out of time'
          : 'ndis-review could not finish this analysis',
      summary: `The analysis stopped: ${describe(err)}.\n\nNo findings are reported for this commit, so it cannot pass this check. ${
        limit
          ? 'Something in this commit makes the analysis too costly (macros that expand without bound, for example); other repositories are not affected.'
          : 'Re-run the check to try again.'
      }`,
    });
    return result('failure');
  }
  const outcome = settled.outcome;
  if (!outcome || isAborted(signal)) return stopped();

  const o = outcome;
  const output = (annotations: unknown[], summary = o.summary) => ({
    title: o.title,
    summary,
    ...(o.text ? { text: o.text } : {}),
    annotations,
  });
  await complete(o.conclusion, output(o.batches[0] ?? []));
  const runId = checkRunId as unknown as number;

  // The result stands from here: a failure is noted in the run, never turned into another conclusion.
  try {
    // The API takes 50 annotations a request; later updates append to the run.
    for (const batch of o.batches.slice(1)) {
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: runId,
        output: output(batch),
      });
    }
    if (target.pullNumber !== undefined && o.files && o.config.reviewComments) {
      const findings =
        o.config.report === 'all' ? [...o.classified.added, ...o.classified.existing] : o.classified.added;
      await postReview(call, repo, target.pullNumber, target.headSha, o.files, findings, {
        ...(state.appId !== undefined ? { appId: state.appId } : {}),
        ...(state.docsBaseUrl !== undefined ? { docsBaseUrl: state.docsBaseUrl } : {}),
        ...(o.texts ? { sources: o.texts } : {}),
      });
    }
  } catch (err) {
    const why = describe(err);
    if (!isAborted(signal)) {
      const note = `> **Note:** the findings below stand, but ndis-review could not finish posting them (${why}); some annotations or review comments may be missing. Re-run the check to post them again.\n\n`;
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: runId,
        output: output([], fitCheckRunText(note + o.summary)),
      }).catch(() => undefined);
    }
    return result(o.conclusion, { ...o.sources, followUpError: why });
  }
  return result(o.conclusion, o.sources);
}

/** How long an analysis may take and still be reported by one write (a run created completed). */
export const COMPLETE_AT_ONCE_MS = 1000;

/** Whether `p` settles within `ms` (pass a promise that never rejects). */
/** Whether the job was stopped, read afresh: it changes while the analysis awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  const done = await Promise.race([p.then(() => true as const), late]);
  clearTimeout(timer);
  return done;
}

/**
 * Creates the check run, exactly once. `externalId` (the job's identity) is
 * written on the run: when the create fails without a clear answer (a
 * connection reset, a 5xx, a timeout: GitHub may have made the run), the
 * run is looked up by it before the create is tried again. Octokit's own
 * retries are off for this request for the same reason.
 */
export async function createRun(
  call: Request,
  target: Target,
  body: Record<string, unknown>,
  externalId: string | undefined,
  attempts = 3,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await call('POST /repos/{owner}/{repo}/check-runs', {
        owner: target.owner,
        repo: target.repo,
        name: CHECK_NAME,
        head_sha: target.headSha,
        ...(externalId !== undefined ? { external_id: externalId } : {}),
        ...body,
        request: { retries: 0 },
      });
      return (res.data as { id: number }).id;
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      // A 4xx (rate limits aside) is GitHub's clear refusal: no run was made, and trying again changes nothing.
      const refused = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
      if (refused || externalId === undefined || attempt >= attempts) {
        const found =
          refused || externalId === undefined
            ? undefined
            : await findRun(call, target, externalId).catch(() => undefined);
        if (found !== undefined) return found;
        throw err;
      }
      const found = await findRun(call, target, externalId).catch(() => undefined);
      if (found !== undefined) return found;
    }
  }
}

/** This job's run on the head commit, found by its external ID. */
export async function findRun(call: Request, target: Target, externalId: string): Promise<number | undefined> {
  const data = (
    await call('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: target.owner,
      repo: target.repo,
      ref: target.headSha,
      check_name: CHECK_NAME,
      filter: 'all',
      per_page: 100,
    })
  ).data as { check_runs?: { id: number; external_id?: string | null }[] };
  return data.check_runs?.find((r) => r.external_id === externalId)?.id;
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
  // Everything is analysed: `paths` filters what is reported (in the review layer), never what is read,
  // so excluding a folder of helpers does not change the findings elsewhere.
  const include = (p: string) => isSourcePath(p);

  const clock = state.pool?.clock();
  const head = await fetchSources(call, { ...repo, ref: target.headSha, include }, state.blobs);
  if (isAborted(signal)) return undefined;
  const enable = rulesOn(config.rules);
  const headScan = await scanIn(
    state,
    `${target.owner}/${target.repo}@${target.headSha}`,
    head.files,
    clock,
    signal,
    enable,
  );
  // Read before the base: a renamed file's findings keep their identity only if the base file takes its new name.
  const files = target.pullNumber !== undefined ? await pullRequestFiles(call, repo, target.pullNumber) : undefined;

  let baseScan: ScanResult | undefined;
  const notices: Notice[] = [...head.notices, ...headScan.notices];
  if (target.baseSha) {
    const baseRef = await mergeBase(
      call,
      repo,
      target.baseSha,
      target.headSha,
      (err) => isAborted(signal) || err instanceof BudgetExceeded,
    );
    const renames = renamesOf(files ?? []);
    const rename = (p: string) => renames.get(p) ?? p;
    const base = await fetchSources(call, { ...repo, ref: baseRef, include: (p) => include(rename(p)) }, state.blobs);
    if (isAborted(signal)) return undefined;
    const baseFiles = base.files.map((f) => (renames.has(f.path) ? { ...f, path: rename(f.path) } : f));
    baseScan = await scanIn(state, `${target.owner}/${target.repo}@${baseRef}`, baseFiles, clock, signal, enable);
    // What could not be read in the base can make an old finding look new: say so.
    for (const n of base.notices)
      notices.push({ ...n, message: `In the base commit ${baseRef.slice(0, 7)}: ${n.message}` });
  }
  // The same review layer as the CLI and the Action: the base branch's configuration, suppressions
  // (a directive the pull request adds is listed), paths as a report filter, new against base.
  const reviewed = reviewPullRequest(headScan, baseScan, config);
  const classified = reviewed.classified;
  const report = renderCheckRun({
    classified,
    config,
    rules: headScan.rules,
    notices,
    files: headScan.files,
    headSha: target.headSha,
    ...(state.docsBaseUrl !== undefined ? { docsBaseUrl: state.docsBaseUrl } : {}),
    ruleDocText: readRuleDocs(headScan.rules),
    addedSuppressions: reviewed.addedSuppressions,
    suppressed: reviewed.head.suppressed?.length ?? 0,
  });
  // Decisions the head's analysis withheld: the findings may be missing some, so a pull request cannot pass.
  const withheld = [...head.notices, ...headScan.notices].filter((n) => n.withheld);
  const incomplete = target.pullNumber !== undefined && withheld.length > 0;
  const passing = report.conclusion === 'success' || report.conclusion === 'neutral';
  return {
    config,
    classified,
    conclusion: incomplete && passing ? 'failure' : report.conclusion,
    title: incomplete && passing ? truncateTitle(`Incomplete analysis · ${report.title}`) : report.title,
    summary: withConfigErrors(incomplete ? withWithheld(report.summary, withheld) : report.summary, parsed.errors),
    ...(report.text ? { text: report.text } : {}),
    batches: batchAnnotations(report.annotations),
    ...(files
      ? {
          files,
          texts: sourceTexts(
            head.files,
            files.map((f) => f.filename),
          ),
        }
      : {}),
    sources: {
      archived: head.archived,
      cached: head.cached,
      ...(head.archiveError !== undefined ? { archiveError: head.archiveError } : {}),
    },
  };
}

/** One scan: in the pool when there is one (facts from and to the shared store), else in this thread. */
async function scanIn(
  state: AnalysisState,
  root: string,
  files: ScanFile[],
  clock: AnalysisClock | undefined,
  signal: AbortSignal,
  enable: readonly string[],
): Promise<ScanResult> {
  if (!state.pool || !clock) return scan({ root, files, cache: state.facts, enable });
  const shared = state.sharedFacts;
  const shas = files.map((f) => f.sha).filter((x): x is string => x !== undefined);
  // The shared store is an optimisation: when it cannot answer, the scan parses for itself.
  const preloaded = shared ? await shared.load(shas).catch(() => []) : [];
  const { result, fresh } = await state.pool.scan(
    {
      root,
      files,
      enable: [...enable],
      ...(preloaded.length ? { preloaded } : {}),
      collectFresh: shared !== undefined,
    },
    clock,
    signal,
  );
  if (shared && fresh.length) await shared.store(fresh).catch(() => undefined);
  return result;
}

/** Notices listed at most, in the "withheld" section (each also appears in the notices). */
const MAX_WITHHELD_LISTED = 20;

/**
 * The summary under a section that says the analysis is incomplete, what
 * was withheld and where, so nobody reads the check as a pass.
 */
function withWithheld(summary: string, withheld: Notice[]): string {
  const where = (n: Notice) =>
    n.path !== undefined ? `\`${n.path.replace(/`/g, "'")}${n.line !== undefined ? `:${String(n.line)}` : ''}\`: ` : '';
  const items = withheld.slice(0, MAX_WITHHELD_LISTED).map(
    (n) =>
      `- ${where(n)}${n.message
        .slice(0, 300)
        .replace(/[\r\n]+/g, ' ')
        .replace(/[<>`|[\]*_]/g, (c) => `\\${c}`)}`,
  );
  const more = withheld.length - items.length;
  if (more > 0) items.push(`- … and ${String(more)} more`);
  return fitCheckRunText(
    `**Incomplete analysis.** ndis-review withheld ${withheld.length === 1 ? 'a decision' : `${String(withheld.length)} decisions`} on this commit, so findings may be missing and this check cannot pass:\n\n${items.join('\n')}\n\n${summary}`,
  );
}

function truncateTitle(title: string): string {
  return title.length <= 255 ? title : `${title.slice(0, 254)}…`;
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
