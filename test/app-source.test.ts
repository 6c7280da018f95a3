/** The GitHub source provider: exact requests, the blob cache across pushes, truncated trees, failures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobCache, fetchSources, type Request } from '../src/app/source.js';
import { resolving } from './support/async.js';
import { defined } from '../src/util/defined.js';

interface Repo {
  trees: Record<string, { tree: { path: string; type: string; sha: string; size?: number }[]; truncated?: boolean }>;
  blobs: Record<string, Buffer>;
}

/** A stand-in for octokit.request that serves a repository and records every call. */
function fakeGitHub(
  repo: Repo,
  fail = new Set<string>(),
): { request: Request; calls: { route: string; params: Record<string, unknown> }[] } {
  const calls: { route: string; params: Record<string, unknown> }[] = [];
  const request: Request = resolving((route, params) => {
    calls.push({ route, params });
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}') {
      const t = repo.trees[params.tree_sha as string] as Repo['trees'][string] | undefined;
      if (!t) throw Object.assign(new Error('Not Found'), { status: 404 });
      return { data: params.recursive ? t : { tree: t.tree.filter((e) => !e.path.includes('/')) } };
    }
    if (route === 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}') {
      const sha = params.file_sha as string;
      if (fail.has(sha)) throw Object.assign(new Error('Server Error\nx-secret: do-not-leak'), { status: 502 });
      return { data: { content: repo.blobs[sha].toString('base64').replace(/(.{60})/g, '$1\n'), encoding: 'base64' } };
    }
    throw new Error(`unexpected ${route}`);
  });
  return { request, calls };
}

const latin1 = Buffer.from([0x2f, 0x2a, 0x20, 0xe9, 0x20, 0x2a, 0x2f, 0x0a]); // "/* é */" in Latin-1
const repoAt = (initSha: string): Repo => ({
  trees: {
    head: {
      tree: [
        { path: 'drivers/nic/init.c', type: 'blob', sha: initSha, size: 40 },
        { path: 'drivers/nic/nic.h', type: 'blob', sha: 'h1', size: 8 },
        { path: 'drivers/nic', type: 'tree', sha: 't1' },
        { path: 'README.md', type: 'blob', sha: 'r1', size: 10 },
        { path: 'third_party/zlib.c', type: 'blob', sha: 'z1', size: 10 },
        { path: 'drivers/nic/fw.bin.c', type: 'blob', sha: 'big', size: 9 * 1024 * 1024 },
      ],
    },
  },
  blobs: { i1: Buffer.from('int a;\n'), i2: Buffer.from('int b;\n'), h1: latin1, z1: Buffer.from('x') },
});
const opts = { owner: 'o', repo: 'r', ref: 'head', include: (p: string) => !p.startsWith('third_party/') };

test('one tree listing, one request per blob, only C sources the configuration includes', async () => {
  const gh = fakeGitHub(repoAt('i1'));
  const r = await fetchSources(gh.request, opts, new BlobCache());
  assert.deepEqual(r.files.map((f) => f.path).sort(), ['drivers/nic/init.c', 'drivers/nic/nic.h']);
  assert.equal(r.requests, 3);
  assert.deepEqual(
    gh.calls
      .filter((c) => c.route.includes('/git/blobs/'))
      .map((c) => c.params.file_sha)
      .sort(),
    ['h1', 'i1'],
  );
  assert.deepEqual(gh.calls[0], {
    route: 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
    params: { owner: 'o', repo: 'r', tree_sha: 'head', recursive: '1' },
  });
  assert.deepEqual(
    r.notices.map((n) => n.path),
    ['drivers/nic/fw.bin.c'],
    'the oversized file is skipped with a notice',
  );
});

test('bytes arrive unchanged, Latin-1 included', async () => {
  const r = await fetchSources(fakeGitHub(repoAt('i1')).request, opts, new BlobCache());
  assert.deepEqual(Buffer.from(defined(r.files.find((f) => f.path.endsWith('nic.h'))).bytes), latin1);
});

test('a push that changes one file costs the listing and that blob', async () => {
  const cache = new BlobCache();
  await fetchSources(fakeGitHub(repoAt('i1')).request, opts, cache);
  const gh = fakeGitHub(repoAt('i2'));
  const r = await fetchSources(gh.request, opts, cache);
  assert.equal(r.requests, 2);
  assert.equal(r.cached, 1);
  assert.equal(Buffer.from(defined(r.files.find((f) => f.path.endsWith('init.c'))).bytes).toString(), 'int b;\n');
});

test('a truncated listing is walked folder by folder', async () => {
  const repo: Repo = {
    trees: {
      head: {
        tree: [
          { path: 'a', type: 'tree', sha: 'ta' },
          { path: 'top.c', type: 'blob', sha: 'b1', size: 1 },
        ],
        truncated: true,
      },
      ta: {
        tree: [
          { path: 'b', type: 'tree', sha: 'tb' },
          { path: 'x.c', type: 'blob', sha: 'b2', size: 1 },
        ],
      },
      tb: { tree: [{ path: 'y.h', type: 'blob', sha: 'b3', size: 1 }] },
    },
    blobs: { b1: Buffer.from('1'), b2: Buffer.from('2'), b3: Buffer.from('3') },
  };
  const r = await fetchSources(fakeGitHub(repo).request, { owner: 'o', repo: 'r', ref: 'head' }, new BlobCache());
  assert.deepEqual(r.files.map((f) => f.path).sort(), ['a/b/y.h', 'a/x.c', 'top.c']);
  assert.equal(r.notices.length, 0);
  const capped = await fetchSources(
    fakeGitHub(repo).request,
    { owner: 'o', repo: 'r', ref: 'head', maxTreeRequests: 2 },
    new BlobCache(),
  );
  assert.ok(capped.notices.some((n) => n.message.includes('too large to list')));
  assert.ok(!capped.files.some((f) => f.path === 'a/b/y.h'));
});

test('a blob that cannot be read fails the fetch (no result without it), naming the file and leaking no header', async () => {
  await assert.rejects(
    fetchSources(fakeGitHub(repoAt('i1'), new Set(['h1'])).request, opts, new BlobCache()),
    (err: Error) => {
      assert.equal(err.name, 'SourceUnreadable');
      assert.match(
        err.message,
        /^drivers\/nic\/nic\.h could not be read from GitHub \(GitHub answered HTTP 502 \(Server Error\)\)$/,
      );
      assert.doesNotMatch(err.message, /secret/);
      return true;
    },
  );
});

test('the blob cache keeps within its byte budget, dropping the least recently used', () => {
  const c = new BlobCache(10);
  c.set('a', Buffer.alloc(4));
  c.set('b', Buffer.alloc(4));
  assert.ok(c.get('a'));
  c.set('c', Buffer.alloc(4));
  assert.equal(c.get('b'), undefined);
  assert.ok(c.get('a') && c.get('c'));
});
