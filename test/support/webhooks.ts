/**
 * Realistic webhook deliveries for the app's flow tests: each builder starts
 * from GitHub's own documented example payload of the event and action
 * (`@octokit/webhooks-examples`, the api.github.com set) and overrides what a
 * test needs, consistently through the whole payload: the repository (name,
 * full name, owner, and every URL that names it), the installation, the pull
 * request's number, head and base (a fork's head repository belongs to
 * another owner, has another id and `fork: true`), the check suite's and
 * check run's head SHA and pull requests, and the app a check run belongs
 * to. The rest (other ids, timestamps, titles, the sender of check events,
 * the app's slug, name and owner) stays as in GitHub's example.
 *
 * Examples used, all present in 7.6.1 (the first example of the action that
 * carries an `installation`, as every delivery to a GitHub App does):
 * - pull_request opened, synchronize, reopened, ready_for_review
 *   (Codertocat/Hello-World, pull request #2, user-owned);
 * - check_suite requested (no pull requests) and rerequested (one pull
 *   request, also the template of the pull request entries of check events);
 * - check_run rerequested (github/hello-world, organization-owned) and
 *   requested_action (electron/electron, organization-owned).
 * If another version of the package lacks an action, `example()` starts from
 * the nearest example of the same event (the first with an installation),
 * sets `action`, and records it in `substitutes`.
 *
 * The examples are deep-cloned (structuredClone) before any change; the
 * loaded index is never mutated.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type { Probot } from 'probot';
import { asArray, asRecord, isRecord } from '../../src/util/json.js';

/** What `probot.receive()` takes: `{ id, name, payload }`. */
export type Delivery = Parameters<Probot['receive']>[0];

/** A payload being edited: plain JSON, then checked by GitHub's schema. */
type Json = Record<string, unknown>;

/** The object at `keys` below `o` (GitHub's example has it; a missing one is a broken example). */
function at(o: Json, ...keys: string[]): Json {
  let cur = o;
  for (const [i, k] of keys.entries()) cur = asRecord(cur[k], `the example's ${keys.slice(0, i + 1).join('.')}`);
  return cur;
}

/** What spreading `v` gives: its fields when it is an object, none when it is absent. */
const fields = (v: unknown): Json => (isRecord(v) ? v : {});

const require = createRequire(import.meta.url);
let definitions: WebhookDefinition[] | undefined;
const load = (): WebhookDefinition[] => (definitions ??= require('@octokit/webhooks-examples') as WebhookDefinition[]);

/** The version of `@octokit/webhooks-examples` in use. */
export const examplesVersion: string = (require('@octokit/webhooks-examples/package.json') as { version: string })
  .version;

/** Actions that had no example, with the action the builder started from instead (empty with 7.6.1). */
export const substitutes: { event: string; action: string; from: string }[] = [];

/** A deep clone of GitHub's example of `event` `action` (see the header for which one). */
export function example(event: string, action: string): Json {
  const definition = load().find((d) => d.name === event);
  const examples = (definition?.examples ?? []) as unknown as Json[];
  if (examples.length === 0)
    throw new Error(`@octokit/webhooks-examples ${examplesVersion} has no example of ${event}`);
  const preferInstalled = (list: Json[]) => list.find((e) => e.installation) ?? list[0];
  const same = examples.filter((e) => e.action === action);
  if (same.length > 0) return structuredClone(preferInstalled(same));
  // No example of this action: the nearest one of the same event, with the action set.
  const nearest = preferInstalled(examples);
  substitutes.push({ event, action, from: String(nearest.action) });
  return { ...structuredClone(nearest), action };
}

/**
 * Replaces `from` by `to` in every string below `value`, as a whole path
 * segment or name: `a/b` is not touched in `a/bc`, `/github` not in
 * `//github.com`; a trailing `.git` (clone URLs) is allowed.
 */
function replaceStrings<T>(value: T, from: string, to: string): T {
  if (from === to || from === '') return value;
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${/^[\w-]/.test(from) ? '(?<![\\w-])' : ''}${escaped}(?=$|[/?#{}"]|\\.git$)`, 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, to);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Renames the account `from` (a user or organization object: login and its own URLs) wherever it appears below `value`. */
function renameAccount<T>(value: T, from: string, to: string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Json;
    if (o.login === from && typeof o.type === 'string')
      return { ...replaceStrings(o, `/${from}`, `/${to}`), login: to };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

/**
 * Moves a payload from the example's repository to `owner/repo`: every full
 * name and URL of the repository, its name, and its owner's account (the
 * repository owner, the organization, and under `alsoIn` any other place the
 * same account appears, such as a pull request's author).
 */
function retarget(
  payload: Json,
  owner: string,
  repo: string,
  alsoIn: string[] = [],
): { payload: Json; oldOwner: string } {
  const repository = at(payload, 'repository');
  const oldFull = String(repository.full_name);
  const oldName = String(repository.name);
  const oldOwner = String(at(repository, 'owner').login);
  const p = replaceStrings(payload, oldFull, `${owner}/${repo}`);
  for (const key of ['repository', ...alsoIn]) {
    if (p[key]) p[key] = renameAccount(p[key], oldOwner, owner);
  }
  // The organization object (an organization-owned example) has no `type`; its URLs are /orgs/NAME.
  const organization = p.organization;
  if (isRecord(organization) && organization.login === oldOwner)
    p.organization = { ...replaceStrings(organization, `/${oldOwner}`, `/${owner}`), login: owner };
  // Repository objects by name (the repository itself, a pull request's base.repo and head.repo).
  const rename = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(rename);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Json;
    if (o.full_name === `${owner}/${repo}` && o.name === oldName) o.name = repo;
    Object.values(o).forEach(rename);
  };
  rename(p);
  return { payload: p, oldOwner };
}

function setInstallation(payload: Json, installation: number): void {
  payload.installation = {
    ...(isRecord(payload.installation)
      ? payload.installation
      : { node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' }),
    id: installation,
  };
}

function delivery(name: string, payload: Json, id?: string): Delivery {
  return { id: id ?? randomUUID(), name, payload } as unknown as Delivery;
}

interface RepoTarget {
  /** The delivery id (x-github-delivery); a random UUID when absent. */
  id?: string;
  installation: number;
  owner: string;
  repo: string;
}

export interface PullRequestOptions extends RepoTarget {
  number: number;
  headSha: string;
  baseSha: string;
  /** The head is a branch of a fork of the repository, owned by `forkOwner` (default `fork`), who opened and pushed it. */
  fork?: boolean;
  forkOwner?: string;
  /** Default false (GitHub's examples are not drafts; ready_for_review is never one). */
  draft?: boolean;
}

/** A `pull_request` delivery from GitHub's example of `action`. */
export function pullRequestEvent(
  action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review',
  o: PullRequestOptions,
): Delivery {
  const ex = example('pull_request', action);
  const exNumber = String(at(ex, 'pull_request').number);
  const exHead = String(at(ex, 'pull_request', 'head').sha);
  const exBase = String(at(ex, 'pull_request', 'base').sha);
  const full = `${o.owner}/${o.repo}`;
  // In GitHub's examples the owner opened the pull request from a branch of the repository itself.
  let { payload: p } = retarget(ex, o.owner, o.repo, ['pull_request', 'sender']);
  // The head and base commits wherever they appear (statuses URLs, synchronize's `after`).
  p = replaceStrings(replaceStrings(p, exHead, o.headSha), exBase, o.baseSha);
  // The pull request's own URLs: …/pulls/2, …/pull/2, …/issues/2.
  for (const segment of ['pulls', 'pull', 'issues'])
    p = replaceStrings(p, `/${full}/${segment}/${exNumber}`, `/${full}/${segment}/${String(o.number)}`);
  setInstallation(p, o.installation);
  p.number = o.number;
  const pr = at(p, 'pull_request');
  const prHead = at(pr, 'head');
  const prBase = at(pr, 'base');
  pr.number = o.number;
  pr.draft = o.draft ?? false;
  prHead.sha = o.headSha;
  prBase.sha = o.baseSha;
  prBase.label = `${o.owner}:${String(prBase.ref)}`;
  if (o.fork) {
    const forker = o.forkOwner ?? 'fork';
    const head = renameAccount(replaceStrings(at(prHead, 'repo'), full, `${forker}/${o.repo}`), o.owner, forker);
    const headId = Number(at(p, 'repository').id) + 1;
    head.id = headId;
    head.node_id = Buffer.from(`010:Repository${String(headId)}`).toString('base64');
    head.fork = true;
    prHead.repo = head;
    prHead.user = renameAccount(prHead.user, o.owner, forker);
    prHead.label = `${forker}:${String(prHead.ref)}`;
    pr.user = renameAccount(pr.user, o.owner, forker);
    pr.author_association = 'CONTRIBUTOR';
    p.sender = renameAccount(p.sender, o.owner, forker);
  } else {
    prHead.label = `${o.owner}:${String(prHead.ref)}`;
  }
  if (action === 'synchronize') p.after = o.headSha;
  return delivery('pull_request', p, o.id);
}

/** A pull request as a check suite or check run lists it. */
export interface CheckPullRequest {
  number: number;
  headSha: string;
  baseSha: string;
}

/**
 * Entries of a check suite's or run's `pull_requests`, shaped as GitHub's
 * (from the check_suite.rerequested example: minimal `{ id, url, name }`
 * repos, both the base repository: GitHub lists only pull requests whose
 * head is in the repository), their head on the suite's branch.
 */
function checkPullRequests(repository: Json, headBranch: string, prs: CheckPullRequest[]): Json[] {
  const listed = asArray(at(example('check_suite', 'rerequested'), 'check_suite').pull_requests, 'pull_requests');
  const template = asRecord(listed[0], "the example's first pull request");
  const repo = { id: repository.id, url: repository.url, name: repository.name };
  return prs.map((pr, i) => ({
    ...template,
    url: `${String(repository.url)}/pulls/${String(pr.number)}`,
    id: Number(template.id) + i,
    number: pr.number,
    head: { ...fields(template.head), ref: headBranch, sha: pr.headSha, repo: { ...repo } },
    base: {
      ...fields(template.base),
      ref: String(repository.default_branch ?? fields(template.base).ref),
      sha: pr.baseSha,
      repo: { ...repo },
    },
  }));
}

export interface CheckSuiteOptions extends RepoTarget {
  headSha: string;
  /** The suite's pull requests; none (a branch push) when absent, whatever the example holds. */
  pullRequests?: CheckPullRequest[];
  /** The app the suite is for; the example's when absent. */
  appId?: number;
}

/** A `check_suite` delivery from GitHub's example of `action`. */
export function checkSuiteEvent(action: 'requested' | 'rerequested', o: CheckSuiteOptions): Delivery {
  const ex = example('check_suite', action);
  let { payload: p } = retarget(ex, o.owner, o.repo);
  p = replaceStrings(p, String(at(ex, 'check_suite').head_sha), o.headSha);
  setInstallation(p, o.installation);
  const suite = at(p, 'check_suite');
  suite.head_sha = o.headSha;
  suite.after = o.headSha;
  if (isRecord(suite.head_commit)) suite.head_commit.id = o.headSha;
  if (o.appId !== undefined) suite.app = { ...fields(suite.app), id: o.appId };
  suite.pull_requests = checkPullRequests(at(p, 'repository'), String(suite.head_branch), o.pullRequests ?? []);
  return delivery('check_suite', p, o.id);
}

export interface CheckRunOptions extends RepoTarget {
  checkRunId: number;
  name: string;
  appId: number;
  headSha: string;
  /** requested_action's identifier; the example's (another app's button) when absent. */
  identifier?: string;
  /** The run's (and its suite's) pull requests; none when absent, whatever the example holds. */
  pullRequests?: CheckPullRequest[];
}

/** A `check_run` delivery from GitHub's example of `action`. */
export function checkRunEvent(action: 'rerequested' | 'requested_action', o: CheckRunOptions): Delivery {
  const ex = example('check_run', action);
  const exRunId = String(at(ex, 'check_run').id);
  let { payload: p } = retarget(ex, o.owner, o.repo);
  p = replaceStrings(p, String(at(ex, 'check_run').head_sha), o.headSha);
  p.check_run = replaceStrings(
    replaceStrings(at(p, 'check_run'), `/check-runs/${exRunId}`, `/check-runs/${String(o.checkRunId)}`),
    `/runs/${exRunId}`,
    `/runs/${String(o.checkRunId)}`,
  );
  setInstallation(p, o.installation);
  const run = at(p, 'check_run');
  const suite = at(run, 'check_suite');
  run.id = o.checkRunId;
  run.name = o.name;
  run.head_sha = o.headSha;
  run.app = { ...fields(run.app), id: o.appId };
  run.pull_requests = checkPullRequests(at(p, 'repository'), String(suite.head_branch), o.pullRequests ?? []);
  run.check_suite = {
    ...suite,
    head_sha: o.headSha,
    after: o.headSha,
    app: { ...fields(suite.app), id: o.appId },
    pull_requests: structuredClone(run.pull_requests),
  };
  if (action === 'requested_action' && o.identifier !== undefined) p.requested_action = { identifier: o.identifier };
  return delivery('check_run', p, o.id);
}
