/**
 * A cold repository read from one tarball: the tar reader on an archive
 * written by `git archive` (test/fixtures/archive/make.sh), every file checked
 * against its blob SHA, what the tarball lacks or changes fetched as blobs,
 * broken archives falling back to blobs, and the redirect to the archive
 * host through Probot's Octokit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, test } from 'node:test';
import nock from 'nock';
import { testProbot } from './support/probot.js';
import { analyze } from '../src/app/analyze.js';
import { FactCache } from '../src/engine/cache.js';
import { EDITS, generateCorpus } from '../bench/corpus.js';
import { makeTarGz } from './support/tar.js';
import { BlobCache, fetchSources, type Request } from '../src/app/source.js';
import { gitBlobSha, gzipTarEntries, tarEntries, TarError, type TarEntry } from '../src/app/tarball.js';
import { repoRoot } from './support/paths.js';
import { resolving } from './support/async.js';
import { defined } from '../src/util/defined.js';

const dir = join(repoRoot, 'test/fixtures/archive');
const TARBALL = readFileSync(join(dir, 'repo.tar.gz'));
interface Entry {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size: number;
  base64: string;
}
const TREE = JSON.parse(readFileSync(join(dir, 'tree.json'), 'utf8')) as { commit: string; tree: Entry[] };
const blobOf = (path: string) => Buffer.from(defined(TREE.tree.find((e) => e.path === path)).base64, 'base64');
const LONG = defined(TREE.tree.find((e) => e.path.length > 100)).path;

async function collect(it: AsyncIterable<TarEntry>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of it) out.set(e.path, e.bytes);
  return out;
}
const all = { want: () => true, maxEntryBytes: 1 << 20, maxTotalBytes: 1 << 24 };
/** `b` in chunks of `size` bytes, as an async iterable (a stream's chunks). */
function chunked(b: Buffer, size: number): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) chunks.push(b.subarray(i, i + size));
  return Readable.from(chunks);
}

test('git archive output: regular files with their paths (long ones through pax headers), not links or folders', async () => {
  const files = await collect(gzipTarEntries(chunked(TARBALL, 7), all));
  assert.deepEqual(
    [...files.keys()].sort(),
    ['.gitattributes', 'README.md', 'crlf.c', 'drivers/net/e1000/init.c', 'empty.c', 'include/hw.h', LONG].sort(),
  );
  assert.ok(LONG.length > 100);
  // Byte for byte, Latin-1 and CRLF included, where the archive did not rewrite the file.
  for (const path of ['drivers/net/e1000/init.c', 'include/hw.h', 'empty.c', LONG]) {
    const entry = defined(TREE.tree.find((e) => e.path === path));
    assert.deepEqual(files.get(path), blobOf(path), path);
    assert.equal(gitBlobSha(defined(files.get(path))), entry.sha, `${path} hashes to its blob SHA`);
  }
  // eol=crlf: git archive wrote other bytes than the blob, and the hash tells.
  assert.notEqual(gitBlobSha(defined(files.get('crlf.c'))), defined(TREE.tree.find((e) => e.path === 'crlf.c')).sha);
});

test('only wanted entries within the size limit are read', async () => {
  const files = await collect(
    gzipTarEntries(chunked(TARBALL, 512), {
      ...all,
      want: (p) => p.endsWith('.h') || p === 'README.md',
      maxEntryBytes: 10,
    }),
  );
  assert.deepEqual([...files.keys()], ['README.md'], 'include/hw.h is 14 bytes, over the limit of 10');
});

test('broken archives end in a TarError, never a hang or a wrong file', async () => {
  const tar = gunzipSync(TARBALL);
  // Cut inside the long-named file's data.
  const cut = tar.indexOf(Buffer.from('int long_name;')) + 5;
  await assert.rejects(collect(tarEntries(chunked(tar.subarray(0, cut), 100), all)), TarError);
  const corrupt = Buffer.from(tar);
  corrupt[1024 + 10] ^= 0xff; // the name in the header after git archive's global header and its data
  await assert.rejects(collect(tarEntries(chunked(corrupt, 4096), all)), /checksum/);
  await assert.rejects(collect(gzipTarEntries(chunked(Buffer.from('not gzip at all'), 4), all)));
  await assert.rejects(collect(gzipTarEntries(chunked(gzipSync(Buffer.alloc(2000, 7)), 64), all)), /checksum/);
  await assert.rejects(
    collect(gzipTarEntries(chunked(TARBALL, 64), { ...all, maxTotalBytes: 2048 })),
    /larger than 2048 bytes/,
  );
});

test('stopping early releases the stream', async () => {
  let pulled = 0;
  async function* counting() {
    for await (const c of chunked(TARBALL, 16)) {
      pulled++;
      yield c;
    }
  }
  for await (const e of gzipTarEntries(counting(), all)) {
    assert.ok(e.path);
    break;
  }
  const after = pulled;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pulled, after, 'nothing more is read after the consumer stops');
});

// ---------------------------------------------------------------------------
// fetchSources with a tarball

const tree = () => ({ sha: TREE.commit, truncated: false, tree: TREE.tree.map(({ base64: _b, ...e }) => e) });

function fakeGitHub(tarball: () => ReadableStream<Uint8Array> | Promise<never>) {
  const calls: string[] = [];
  const request: Request = async (route, params) => {
    const name = /\/(trees|tarball|blobs)\//.exec(route)?.[1] ?? route;
    calls.push(name === 'blobs' ? `blob ${defined(TREE.tree.find((e) => e.sha === params.file_sha)).path}` : name);
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}') return { data: tree() };
    if (route === 'GET /repos/{owner}/{repo}/tarball/{ref}') {
      assert.deepEqual(params.request, { parseSuccessResponseBody: false });
      return { data: await tarball() };
    }
    if (route === 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}') {
      return {
        data: {
          content: Buffer.from(defined(TREE.tree.find((e) => e.sha === params.file_sha)).base64, 'base64').toString(
            'base64',
          ),
          encoding: 'base64',
        },
      };
    }
    throw new Error(`unexpected ${route}`);
  };
  return { request, calls };
}
const webStream = (b: Buffer) => new Blob([new Uint8Array(b)]).stream() as ReadableStream<Uint8Array>;
const opts = { owner: 'o', repo: 'r', ref: 'c0ffee', tarballMinBlobs: 3 };
const SOURCES = ['crlf.c', 'drivers/net/e1000/init.c', 'empty.c', 'export-ignored.c', 'include/hw.h', LONG].sort();

test('a cold repository: the listing, one tarball, and blobs only for files the archive lacks or rewrote', async () => {
  const gh = fakeGitHub(() => webStream(TARBALL));
  const blobs = new BlobCache();
  const r = await fetchSources(gh.request, opts, blobs);
  assert.deepEqual(gh.calls.sort(), ['blob crlf.c', 'blob export-ignored.c', 'tarball', 'trees'].sort());
  assert.equal(r.requests, 4);
  assert.equal(r.archived, 4);
  assert.equal(r.archiveError, undefined);
  // link.c (a symbolic link) is not read; every file has its commit's bytes.
  assert.deepEqual(r.files.map((f) => f.path).sort(), SOURCES);
  for (const f of r.files) assert.deepEqual(Buffer.from(f.bytes), blobOf(f.path), f.path);
  // The next push of the same files is served from the cache: the listing only.
  const again = fakeGitHub(() => webStream(TARBALL));
  const r2 = await fetchSources(again.request, opts, blobs);
  assert.deepEqual(again.calls, ['trees']);
  assert.equal(r2.cached, SOURCES.length);
});

test('a tarball that fails or is cut short falls back to blobs; the result is the same', async () => {
  for (const tarball of [
    () => Promise.reject(Object.assign(new Error('Not Found'), { status: 404 })),
    () => webStream(TARBALL.subarray(0, 300)),
  ]) {
    const gh = fakeGitHub(tarball);
    const r = await fetchSources(gh.request, opts, new BlobCache());
    assert.ok(r.archiveError, 'the reason is kept for the log');
    assert.deepEqual(r.files.map((f) => f.path).sort(), SOURCES);
    for (const f of r.files) assert.deepEqual(Buffer.from(f.bytes), blobOf(f.path), f.path);
    assert.equal(gh.calls.filter((c) => c.startsWith('blob ')).length, SOURCES.length - r.archived);
  }
});

test('few missing blobs are fetched one by one, not as a tarball', async () => {
  const gh = fakeGitHub(() => {
    throw new Error('no tarball expected');
  });
  const r = await fetchSources(gh.request, { ...opts, tarballMinBlobs: 16 }, new BlobCache());
  assert.equal(gh.calls.filter((c) => c === 'tarball').length, 0);
  assert.equal(r.files.length, SOURCES.length);
});

// ---------------------------------------------------------------------------
// Through Probot's Octokit: the API redirects to the archive host.

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('the tarball redirect is followed and streamed, without sending the token to the archive host', async () => {
  const api = nock('https://api.github.com')
    .post('/app/installations/2/access_tokens')
    .reply(200, { token: 'installation-token' })
    .get(`/repos/o/r/git/trees/${opts.ref}`)
    .query({ recursive: '1' })
    .reply(200, tree())
    .get(`/repos/o/r/tarball/${opts.ref}`)
    .reply(302, '', { location: `https://codeload.github.com/o/r/legacy.tar.gz/${opts.ref}?token=short-lived` })
    .get(/\/git\/blobs\//)
    .times(2)
    .reply(200, (uri) => ({ content: defined(TREE.tree.find((e) => uri.endsWith(e.sha))).base64, encoding: 'base64' }));
  const codeload = nock('https://codeload.github.com', { badheaders: ['authorization'] })
    .get(`/o/r/legacy.tar.gz/${opts.ref}`)
    .query({ token: 'short-lived' })
    .reply(200, TARBALL, { 'content-type': 'application/x-gzip' });
  const probot = testProbot({ appId: 1 });
  const octokit = await probot.auth(2);
  const r = await fetchSources(octokit.request, opts, new BlobCache());
  assert.equal(r.archiveError, undefined);
  assert.equal(r.archived, 4);
  assert.deepEqual(r.files.map((f) => f.path).sort(), SOURCES);
  assert.deepEqual(api.pendingMocks(), []);
  assert.deepEqual(codeload.pendingMocks(), []);
});

// ---------------------------------------------------------------------------
// Request count of a cold analysis

test('a cold analysis of the bench corpus (204 files): 6 requests, where blob by blob would take 203 more', async () => {
  const corpus = generateCorpus(1);
  const head = corpus.files.map((f) => ({ path: f.path, bytes: Buffer.from(f.text, f.encoding) }));
  // The base differs from head in one file.
  const base = head.map((f) =>
    f.path === EDITS.initFile ? { ...f, bytes: Buffer.concat([f.bytes, Buffer.from('\n/* base */\n')]) } : f,
  );
  const listing = (files: typeof head) => ({
    truncated: false,
    tree: files.map((f) => ({
      path: f.path,
      mode: '100644',
      type: 'blob',
      sha: gitBlobSha(f.bytes),
      size: f.bytes.length,
    })),
  });
  const bySha = new Map([...head, ...base].map((f) => [gitBlobSha(f.bytes), f.bytes]));
  const tarball = makeTarGz(head);
  const routes: string[] = [];
  const request: Request = resolving((route, params) => {
    routes.push(route);
    if (route === 'POST /repos/{owner}/{repo}/check-runs') return { data: { id: 1 } };
    if (route === 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}')
      return { data: listing(params.tree_sha === 'head' ? head : base) };
    if (route === 'GET /repos/{owner}/{repo}/tarball/{ref}') return { data: webStream(tarball) };
    if (route === 'GET /repos/{owner}/{repo}/compare/{basehead}')
      return { data: { merge_base_commit: { sha: 'base' } } };
    if (route === 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}')
      return {
        data: {
          content: Buffer.from(defined(bySha.get(params.file_sha as string))).toString('base64'),
          encoding: 'base64',
        },
      };
    return { data: {} };
  });
  const r = await analyze(
    request,
    { owner: 'o', repo: 'r', headSha: 'head', baseSha: 'base' },
    () => Promise.resolve({ value: null }),
    { facts: new FactCache(), blobs: new BlobCache() },
    new AbortController().signal,
    // Reported in one write however long the scan takes on this machine, so the requests are exact.
    { completeAtOnceMs: 60_000 },
  );
  assert.deepEqual(routes, [
    'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
    'GET /repos/{owner}/{repo}/tarball/{ref}',
    'GET /repos/{owner}/{repo}/compare/{basehead}',
    'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
    'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
    'POST /repos/{owner}/{repo}/check-runs',
  ]);
  assert.equal(r.requests, 6);
  assert.equal(r.archived, corpus.files.length);
  assert.equal(r.archiveError, undefined);
  // The corpus's injected violations are all in head and base alike: found, and none new.
  assert.equal(r.conclusion, 'neutral');
});
