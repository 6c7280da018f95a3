/**
 * The analysis of a pull request against a fake GitHub holding several
 * commits: what it compares with (the merge base, renamed files under their
 * new names), and that nothing after the run is completed can change its
 * conclusion, while nothing unreadable before it can pass for a result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type Target } from '../src/app/analyze.js';
import { CHECK_RUN_TEXT_LIMIT } from '../src/app/checkrun.js';
import { BlobCache, type Request } from '../src/app/source.js';
import { gitBlobSha } from '../src/app/tarball.js';
import { FactCache } from '../src/engine/cache.js';
import { leakyDriver } from './support/drivers.js';
import { resolving } from './support/async.js';
import { defined } from '../src/util/defined.js';

type Commit = Record<string, string>;
interface FakeRepo {
  commits: Record<string, Commit>;
  /** The pull request's files; each file's patch shows every line as added unless given. */
  files?: { filename: string; previous_filename?: string; status?: string; patch?: string }[];
  mergeBase?: string;
  fail?: (route: string, params: Record<string, unknown>) => Error | undefined;
  config?: unknown;
}

function fakeGitHub(repo: FakeRepo) {
  const calls: { route: string; params: Record<string, unknown> }[] = [];
  const blobs = new Map<string, string>();
  for (const c of Object.values(repo.commits))
    for (const text of Object.values(c)) blobs.set(gitBlobSha(Buffer.from(text)), text);
  const request: Request = resolving((route, params) => {
    calls.push({ route, params });
    const failure = repo.fail?.(route, params);
    if (failure) throw failure;
    switch (route) {
      case 'POST /repos/{owner}/{repo}/check-runs':
        return { data: { id: 1 } };
      case 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': {
        const c = repo.commits[params.tree_sha as string] as Commit | undefined;
        if (!c) throw Object.assign(new Error('Not Found'), { status: 404 });
        return {
          data: {
            truncated: false,
            tree: Object.entries(c).map(([path, text]) => ({
              path,
              mode: '100644',
              type: 'blob',
              sha: gitBlobSha(Buffer.from(text)),
              size: text.length,
            })),
          },
        };
      }
      case 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}':
        return {
          data: {
            content: Buffer.from(defined(blobs.get(params.file_sha as string))).toString('base64'),
            encoding: 'base64',
          },
        };
      case 'GET /repos/{owner}/{repo}/compare/{basehead}':
        return { data: { merge_base_commit: { sha: repo.mergeBase ?? String(params.basehead).split('...')[0] } } };
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': {
        const head = repo.commits.head;
        return {
          data: (repo.files ?? []).map((f) => ({
            status: 'modified',
            ...f,
            patch: f.patch ?? addedPatch(head[f.filename] ?? ''),
          })),
        };
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments':
        return { data: [] };
      default:
        return { data: {} };
    }
  });
  return { request, calls };
}

const addedPatch = (text: string) => {
  const lines = text.split('\n');
  return `@@ -0,0 +1,${String(lines.length)} @@\n${lines.map((l) => `+${l}`).join('\n')}`;
};
const pr: Target = { owner: 'o', repo: 'r', headSha: 'head', baseSha: 'base', pullNumber: 5 };
const run = (gh: ReturnType<typeof fakeGitHub>, target = pr, config: unknown = null) =>
  analyze(
    gh.request,
    target,
    () => Promise.resolve({ value: config }),
    { facts: new FactCache(), blobs: new BlobCache() },
    new AbortController().signal,
  );
/** The run's writes in order: the completion (a create, when the analysis was quick), then any updates. */
const checkRunPatches = (calls: { route: string; params: Record<string, unknown> }[]) =>
  calls
    .filter(
      (c) =>
        c.route === 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}' ||
        c.route === 'POST /repos/{owner}/{repo}/check-runs',
    )
    .map((c) => c.params as { conclusion?: string; status?: string; output: { title: string; summary: string } });

const LEAKY = leakyDriver(2);
const FIXED = leakyDriver(2).replace(
  '    return s;\n}',
  '    NdisMUnmapIoSpace(a->H, a->Regs, 0x100);\n    return s;\n}',
);

test('the fixture: the fixed driver has no findings, the leaky one two', async () => {
  const r = await run(fakeGitHub({ commits: { head: { 'init.c': FIXED }, base: { 'init.c': LEAKY } } }), {
    ...pr,
    pullNumber: undefined,
  });
  assert.equal(r.conclusion, 'success');
  const l = await run(fakeGitHub({ commits: { head: { 'init.c': LEAKY }, base: { 'init.c': FIXED } } }), {
    ...pr,
    pullNumber: undefined,
  });
  assert.equal(l.conclusion, 'failure');
});

test("findings are compared with the merge base, not the base branch's tip: a leak fixed on main since is not new here", async () => {
  const gh = fakeGitHub({
    commits: { head: { 'init.c': LEAKY }, base: { 'init.c': FIXED }, fork: { 'init.c': LEAKY } },
    mergeBase: 'fork',
  });
  const r = await run(gh);
  assert.equal(r.conclusion, 'neutral', 'two pre-existing findings, none new');
  const trees = gh.calls.filter((c) => c.route.includes('/git/trees/')).map((c) => c.params.tree_sha);
  assert.deepEqual(trees, ['head', 'fork']);
  assert.match(checkRunPatches(gh.calls)[0].output.title, /2 pre-existing/);
});

test("a renamed file keeps its findings' identity: a pure rename reports nothing new", async () => {
  const gh = fakeGitHub({
    commits: { head: { 'drivers/new_name.c': LEAKY }, base: { 'drivers/old_name.c': LEAKY } },
    files: [{ filename: 'drivers/new_name.c', previous_filename: 'drivers/old_name.c', status: 'renamed', patch: '' }],
  });
  const r = await run(gh);
  assert.equal(r.conclusion, 'neutral');
  assert.equal(checkRunPatches(gh.calls)[0].output.title, 'No new findings · 2 pre-existing');
});

test('a review GitHub refuses after the run is completed leaves the conclusion alone and adds a note', async () => {
  const gh = fakeGitHub({
    commits: { head: { 'init.c': LEAKY }, base: { 'init.c': FIXED } },
    files: [{ filename: 'init.c' }],
    fail: (route) =>
      route.endsWith('/reviews')
        ? Object.assign(new Error('Unprocessable Entity: pull request is locked'), { status: 422 })
        : undefined,
  });
  const r = await run(gh);
  assert.equal(r.conclusion, 'failure');
  assert.match(r.followUpError ?? '', /HTTP 422/);
  const patches = checkRunPatches(gh.calls);
  assert.deepEqual(
    patches.map((p) => p.conclusion),
    ['failure', undefined],
    'the note does not complete the run again',
  );
  assert.match(patches[1].output.summary, /^> \*\*Note:\*\* the findings below stand/);
  assert.equal(patches[1].output.title, patches[0].output.title);
});

test('a base file GitHub does not give means no result, not a wrong one', async () => {
  // Head and base differ, so the base blob is not in the cache after reading head; GitHub fails it.
  const gh = fakeGitHub({
    commits: { head: { 'init.c': `${LEAKY}\n` }, base: { 'init.c': LEAKY } },
    fail: (route, params) =>
      route.endsWith('/git/blobs/{file_sha}') && params.file_sha === gitBlobSha(Buffer.from(LEAKY))
        ? Object.assign(new Error('Server Error'), { status: 502 })
        : undefined,
  });
  const r = await run(gh);
  // Not two findings counted as new: no result, which never passes.
  assert.equal(r.conclusion, 'failure');
  const done = checkRunPatches(gh.calls)[0];
  assert.equal(done.output.title, 'ndis-review could not finish this analysis');
  assert.match(done.output.summary, /init\.c could not be read from GitHub \(GitHub answered HTTP 502/);
});

test('configuration errors with a very long report stay within the 65,535-byte summary', async () => {
  // A path with a multi-byte character fills the summary with it: characters and bytes part ways.
  const gh = fakeGitHub({ commits: { head: { 'drivers/net/\u00f1dis/init.c': leakyDriver(400) } } });
  const r = await run(
    gh,
    { owner: 'o', repo: 'r', headSha: 'head' },
    { bogus: 1, paths: { include: ['!x'] }, report: 'sometimes' },
  );
  assert.equal(r.conclusion, 'failure');
  const summary = checkRunPatches(gh.calls)[0].output.summary;
  assert.match(summary, /^\*\*\.github\/ndis-review\.yml has errors\*\*/);
  assert.ok(
    Buffer.byteLength(summary, 'utf8') <= CHECK_RUN_TEXT_LIMIT,
    `${String(Buffer.byteLength(summary, 'utf8'))} bytes`,
  );
});
