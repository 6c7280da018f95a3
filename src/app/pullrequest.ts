/**
 * What the analysis reads of a pull request and writes to it: its files
 * (for renames and the lines a comment may use), the merge base to compare
 * with, and the one review per push.
 */
import type { Finding } from '../engine/types.js';
import { isOwnComment, planReview } from './review.js';
import type { Request } from './source.js';
import type { ExistingComment, PullRequestFile } from './types.js';

interface Repo {
  owner: string;
  repo: string;
}

/** Every page of a list endpoint (GitHub stops the pull request files list at 3,000). */
export async function paginate<T>(
  call: Request,
  route: string,
  params: Record<string, unknown>,
  maxPages = 30,
): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const data = (await call(route, { ...params, per_page: 100, page })).data as T[];
    out.push(...data);
    if (data.length < 100) break;
  }
  return out;
}

export function pullRequestFiles(call: Request, repo: Repo, pullNumber: number): Promise<PullRequestFile[]> {
  return paginate<PullRequestFile>(call, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
    ...repo,
    pull_number: pullNumber,
  });
}

/** Old path → new path of each file the pull request renames. */
export function renamesOf(files: PullRequestFile[]): Map<string, string> {
  const renames = new Map<string, string>();
  for (const f of files)
    if (f.previous_filename && f.previous_filename !== f.filename) renames.set(f.previous_filename, f.filename);
  return renames;
}

/**
 * The commit a pull request's changes start from (what GitHub's diff
 * compares with), so a finding fixed on the base branch after the branch was
 * cut is not counted as new. Falls back to the base tip when GitHub cannot
 * say; `rethrow` lets budget and abort errors through.
 */
export async function mergeBase(
  call: Request,
  repo: Repo,
  baseSha: string,
  headSha: string,
  rethrow: (err: unknown) => boolean,
): Promise<string> {
  try {
    const data = (
      await call('GET /repos/{owner}/{repo}/compare/{basehead}', {
        ...repo,
        basehead: `${baseSha}...${headSha}`,
        per_page: 1,
      })
    ).data as { merge_base_commit?: { sha?: string } };
    return data.merge_base_commit?.sha ?? baseSha;
  } catch (err) {
    if (rethrow(err)) throw err;
    return baseSha;
  }
}

/** One review with a comment per new finding on a changed line; earlier comments of gone findings marked resolved. */
export interface ReviewOptions {
  /** This app's ID: its comments are told from another ndis-review app's. */
  appId?: number;
  /** Where rule pages are published, for links in the comments. */
  docsBaseUrl?: string;
  /** The head commit's decoded text by path: fixes in the diff become suggested changes. */
  sources?: ReadonlyMap<string, string>;
}

export async function postReview(
  call: Request,
  repo: Repo,
  pullNumber: number,
  headSha: string,
  files: PullRequestFile[],
  findings: Finding[],
  options: ReviewOptions = {},
): Promise<void> {
  const pull = { ...repo, pull_number: pullNumber };
  const comments = await paginate<ExistingComment & { user?: { type?: string } }>(
    call,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
    pull,
  );
  // Only this app's comments count as posted, and only they are ever edited.
  const existing = comments.filter((c) => isOwnComment(c, options.appId));
  const plan = planReview({
    files,
    findings,
    existing,
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.docsBaseUrl !== undefined ? { docsBaseUrl: options.docsBaseUrl } : {}),
    ...(options.sources !== undefined ? { sources: options.sources } : {}),
  });
  if (plan.comments.length) {
    await call('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...pull,
      commit_id: headSha,
      event: 'COMMENT',
      body: `ndis-review: ${String(plan.comments.length)} new finding${plan.comments.length === 1 ? '' : 's'} on changed lines${plan.outsideDiff.length ? ` (${String(plan.outsideDiff.length)} more in the check run)` : ''}.`,
      comments: plan.comments,
    });
  }
  for (const o of plan.outdated)
    await call('PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}', { ...repo, comment_id: o.id, body: o.body });
}
