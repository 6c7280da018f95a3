/**
 * One analysis of one commit, as a job: create the check run at once, read
 * the configuration, fetch head (and base) sources, scan, classify against
 * the base, complete the check run with batched annotations, then review the
 * changed lines. Whatever fails after the check run exists completes it with
 * an explanation: a pull request is never left with a run in progress.
 */
import type { FactCache } from '../engine/cache.js';
import { loadRulePack, readRuleDoc } from '../engine/rulepack.js';
import { scan } from '../engine/scan.js';
import type { Finding, Notice } from '../engine/types.js';
import { applyRuleConfig, batchAnnotations, classify, renderCheckRun } from './checkrun.js';
import { parseConfig, pathMatches } from './config.js';
import { fingerprintsIn, planReview } from './review.js';
import { ShutdownReason } from './jobs.js';
import { fetchSources, type BlobCache, type Request } from './source.js';
import type { AppConfig, ExistingComment, PullRequestFile } from './types.js';

export const CHECK_NAME = 'ndis-review';

/** The check run's button (GitHub limits: label 20, description 40, identifier 20 characters). */
export const RERUN_ACTION = { label: 'Re-run', description: 'Analyse this commit again', identifier: 'rerun' };

export interface Target {
  owner: string;
  repo: string;
  headSha: string;
  /** The pull request's base commit, to tell new findings from old ones. */
  baseSha?: string;
  pullNumber?: number;
}

export interface AnalysisState {
  facts: FactCache;
  blobs: BlobCache;
  /** Where rule pages are published (`NDIS_REVIEW_DOCS_URL`); without it the pages are shown in the run itself. */
  docsBaseUrl?: string;
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
}

/** Longest an analysis may take before its check run is completed with an explanation. */
export const TIME_BUDGET_MS = 5 * 60_000;
/** Longest wait for one check run write (creating, completing, appending annotations). */
const CHECK_RUN_REQUEST_MS = 90_000;
export async function analyze(
  request: Request,
  target: Target,
  readConfig: () => Promise<RawConfig>,
  state: AnalysisState,
  signal: AbortSignal,
  budgetMs = TIME_BUDGET_MS,
): Promise<AnalysisResult> {
  let requests = 0;
  const deadline = Date.now() + budgetMs;
  // Rate limits are waited out inside Octokit (see octokit.ts); this wrapper counts requests and keeps the budget.
  const call: Request = async (route, params) => {
    // The budget starts with the check run: creating and completing it are always allowed.
    const checkRun = route.includes('/check-runs');
    if (Date.now() > deadline && !checkRun) throw new BudgetExceeded(budgetMs);
    requests++;
    // No request may outlive the budget (a stalled connection would hold the run in progress),
    // nor may a check run write hang: each gets a deadline of its own.
    const ms = checkRun ? CHECK_RUN_REQUEST_MS : Math.max(1, deadline - Date.now());
    const options = (params.request ?? {}) as Record<string, unknown>;
    // A timer of our own (AbortSignal.timeout's is unref'd and would not keep a job alive).
    // Aborted without a reason, so fetch fails with an AbortError, which Octokit's retry plugin does not
    // retry (any other error becomes a retried HTTP 500); the reason is thrown here instead.
    const abort = new AbortController();
    let why: unknown;
    const stop = (reason: unknown) => { why ??= reason; abort.abort(); };
    const timer = setTimeout(() => stop(new Error(`no answer from GitHub within ${Math.round(ms / 1000)} s`)), ms);
    // A superseded or stopped job drops its reads at once; check run writes still go out, to say so.
    const onJobAbort = () => stop(signal.reason);
    if (!checkRun) {
      if (signal.aborted) onJobAbort();
      else signal.addEventListener('abort', onJobAbort, { once: true });
    }
    const streamed = options.parseSuccessResponseBody === false;
    try {
      const res = await request(route, { ...params, request: { ...options, signal: abort.signal } });
      // A streamed body (the tarball) is read after this returns: the deadline stays on it, and the
      // open download, not the timer, keeps the process busy.
      if (streamed) timer.unref();
      return res;
    } catch (err) {
      if (!checkRun && Date.now() >= deadline) throw new BudgetExceeded(budgetMs);
      throw abort.signal.aborted && why !== undefined ? why : err;
    } finally {
      if (!streamed) {
        clearTimeout(timer);
        signal.removeEventListener('abort', onJobAbort);
      }
    }
  };
  const repo = { owner: target.owner, repo: target.repo };

  const created = (await call('POST /repos/{owner}/{repo}/check-runs', {
    ...repo, name: CHECK_NAME, head_sha: target.headSha, status: 'in_progress', started_at: new Date().toISOString(),
  })).data as { id: number };
  const checkRunId = created.id;
  const complete = async (conclusion: string, output: Record<string, unknown>) => {
    await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...repo, check_run_id: checkRunId, status: 'completed', conclusion, completed_at: new Date().toISOString(), output,
      // A button on the run; GitHub sends check_run.requested_action when pressed.
      actions: [RERUN_ACTION],
    });
  };

  try {
    // A job started only to be stopped (the app is shutting down) still says so on GitHub.
    if (signal.aborted) return await superseded();
    const raw = await readConfig();
    const ruleIds = loadRulePack().rules.map((r) => r.id);
    const parsed = 'error' in raw ? { config: parseConfig(null, ruleIds).config, errors: [`.github/ndis-review.yml could not be read: ${raw.error}`] } : parseConfig(raw.value, ruleIds);
    const config = parsed.config;
    const include = (p: string) => pathMatches(p, config.paths);

    const head = await fetchSources(call, { ...repo, ref: target.headSha, include }, state.blobs);
    const sources = { archived: head.archived, cached: head.cached, ...(head.archiveError !== undefined ? { archiveError: head.archiveError } : {}) };
    if (signal.aborted) return await superseded();
    const headScan = await scan({ root: `${target.owner}/${target.repo}@${target.headSha}`, files: head.files, cache: state.facts });
    let baseFindings: Finding[] = [];
    if (target.baseSha) {
      const base = await fetchSources(call, { ...repo, ref: target.baseSha, include }, state.blobs);
      if (signal.aborted) return await superseded();
      baseFindings = (await scan({ root: `${target.owner}/${target.repo}@${target.baseSha}`, files: base.files, cache: state.facts })).findings;
    }
    const classified = classify(applyRuleConfig(headScan.findings, config.rules), applyRuleConfig(baseFindings, config.rules));
    const notices: Notice[] = [...head.notices, ...headScan.notices];
    const report = renderCheckRun({
      classified, config, rules: headScan.rules, notices, files: headScan.files, headSha: target.headSha,
      ...(state.docsBaseUrl !== undefined ? { docsBaseUrl: state.docsBaseUrl } : {}),
      ruleDocText: ruleDocTexts(headScan.rules),
    });
    const summary = withConfigErrors(report.summary, parsed.errors);
    const batches = batchAnnotations(report.annotations);
    const output = (annotations: unknown[]) => ({ title: report.title, summary, ...(report.text ? { text: report.text } : {}), annotations });
    if (signal.aborted) return await superseded();
    await complete(report.conclusion, output(batches[0] ?? []));
    // The API takes 50 annotations a request; later updates append to the run.
    for (const batch of batches.slice(1)) {
      await call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: checkRunId, output: output(batch) });
    }
    if (target.pullNumber !== undefined && config.reviewComments) {
      await review(call, target, config, config.report === 'all' ? [...classified.added, ...classified.existing] : classified.added);
    }
    return { checkRunId, conclusion: report.conclusion, requests, ...sources };
  } catch (err) {
    if (signal.aborted) return await superseded();
    await complete('neutral', {
      title: err instanceof BudgetExceeded ? 'ndis-review ran out of time' : 'ndis-review could not finish this analysis',
      summary: `The analysis stopped: ${describe(err)}.\n\nNo findings are reported for this commit. Re-run the check to try again.`,
    });
    return { checkRunId, conclusion: 'neutral', requests };
  }

  async function superseded(): Promise<AnalysisResult> {
    if (signal.reason instanceof ShutdownReason) {
      await complete('cancelled', {
        title: 'ndis-review restarted before finishing',
        summary: 'The app was stopped (a restart or a deploy) before it could analyse this commit. Press **Re-run** to analyse it.',
      });
      return { checkRunId, conclusion: 'cancelled', requests };
    }
    await complete('cancelled', { title: 'Superseded by a newer push', summary: 'A newer commit of this pull request is being analysed instead.' });
    return { checkRunId, conclusion: 'cancelled', requests };
  }
}

/** One review with a comment per new finding on a changed line; old comments of gone findings marked resolved. */
async function review(call: Request, target: Target, config: AppConfig, findings: Finding[]): Promise<void> {
  const repo = { owner: target.owner, repo: target.repo };
  const pull = { ...repo, pull_number: target.pullNumber };
  const files = await paginate<PullRequestFile>(call, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', pull);
  const comments = await paginate<ExistingComment & { user?: { type?: string } }>(call, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', pull);
  // Only comments this app wrote (a bot's, carrying a fingerprint marker) are ever edited.
  const existing = comments.filter((c) => c.user?.type === 'Bot' && fingerprintsIn(c.body).length > 0);
  const plan = planReview({ files, findings, existing });
  void config;
  if (plan.comments.length) {
    await call('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...pull,
      commit_id: target.headSha,
      event: 'COMMENT',
      body: `ndis-review: ${plan.comments.length} new finding${plan.comments.length === 1 ? '' : 's'} on changed lines${plan.outsideDiff.length ? ` (${plan.outsideDiff.length} more in the check run)` : ''}.`,
      comments: plan.comments,
    });
  }
  for (const o of plan.outdated) await call('PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}', { ...repo, comment_id: o.id, body: o.body });
}

async function paginate<T>(call: Request, route: string, params: Record<string, unknown>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= 30; page++) {
    const data = (await call(route, { ...params, per_page: 100, page })).data as T[];
    out.push(...data);
    if (data.length < 100) break;
  }
  return out;
}

const docTexts = new Map<string, string>();
/** The rule pages, read once per process. */
function ruleDocTexts(rules: Array<{ id: string; docs: string }>): Map<string, string> {
  for (const r of rules) {
    if (docTexts.has(r.id)) continue;
    const text = readRuleDoc(r.docs);
    if (text !== undefined) docTexts.set(r.id, text);
  }
  return docTexts;
}

function withConfigErrors(summary: string, errors: string[]): string {
  if (!errors.length) return summary;
  const list = errors.map((e) => `- ${e.replace(/[<>`|]/g, (c) => `\\${c}`)}`).join('\n');
  return `**.github/ndis-review.yml has errors**; the defaults were used for these settings:\n\n${list}\n\n${summary}`.slice(0, 65_535);
}

class BudgetExceeded extends Error {
  constructor(ms: number) { super(`the analysis took longer than its ${Math.round(ms / 1000)} s budget`); }
}

/** An error for a check run: HTTP status and first line only, never headers or tokens. */
function describe(err: unknown): string {
  const e = err as { status?: number; message?: string };
  const msg = (e.message ?? String(err)).split('\n')[0].slice(0, 300);
  return e.status ? `GitHub answered HTTP ${e.status} (${msg})` : msg;
}
