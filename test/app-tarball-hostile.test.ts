/**
 * Hostile tarballs, as a repository (or whatever answers for the archive
 * host) could serve them: `../` entries, absolute paths, a pax `path=` that
 * renames an entry, symlink and hardlink entries, a 2 GiB gzip bomb, an
 * entry whose content is not its blob. Whatever the archive holds, the
 * analysis reads exactly the commit's blobs: an entry is used only when its
 * path is a file of the tree listing and its bytes hash to that file's blob
 * SHA; anything else is fetched as a blob, and a bomb is abandoned after a
 * bounded read. Nothing is ever written to disk.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { BlobCache, fetchSources, type Request } from '../src/app/source.js';
import { gitBlobSha, gzipTarEntries, type TarEntry } from '../src/app/tarball.js';
import { resolving } from './support/async.js';

const REAL = Buffer.from('NDIS_STATUS Init(void) { return NDIS_STATUS_SUCCESS; }\n');
const EVIL = Buffer.from('/* planted */ NDIS_STATUS Init(void) { NdisMMapIoSpace(0, 0, 0, 0); }\n');

interface RawEntry {
  name: string;
  type?: string;
  body?: Buffer;
  linkname?: string;
  /** pax records for an extended header before this entry. */
  pax?: Record<string, string>;
}

function header(name: string, size: number, type: string, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}
const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar archive written entry by entry, names as given (no prefix added, nothing cleaned). */
function rawTar(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const records = Object.entries(e.pax)
        .map(([k, v]) => {
          const rest = ` ${k}=${v}\n`;
          let len = rest.length + 1;
          while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
          return `${String(len)}${rest}`;
        })
        .join('');
      const body = Buffer.from(records);
      parts.push(header('PaxHeader', body.length, 'x'), body, pad(body.length));
    }
    const body = e.body ?? Buffer.alloc(0);
    parts.push(header(e.name, body.length, e.type ?? '0', e.linkname), body, pad(body.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A GitHub-like API over one commit whose tree holds `init.c` (REAL) and `ok.c`, serving `tarball` as its archive. */
function api(tarball: Buffer | Readable) {
  const OK = Buffer.from('int ok(void) { return 0; }\n');
  const tree = [
    { path: 'init.c', mode: '100644', type: 'blob', sha: gitBlobSha(REAL), size: REAL.length },
    { path: 'ok.c', mode: '100644', type: 'blob', sha: gitBlobSha(OK), size: OK.length },
  ];
  const blobsFetched: string[] = [];
  const request: Request = resolving((route, params) => {
    if (route.endsWith('/git/trees/{tree_sha}')) return { data: { tree, truncated: false } };
    if (route.endsWith('/tarball/{ref}')) return { data: tarball };
    if (route.endsWith('/git/blobs/{file_sha}')) {
      const bytes = params.file_sha === gitBlobSha(REAL) ? REAL : OK;
      blobsFetched.push(bytes === REAL ? 'init.c' : 'ok.c');
      return { data: { content: bytes.toString('base64'), encoding: 'base64' } };
    }
    throw new Error(`unexpected ${route}`);
  });
  return { request, blobsFetched, OK };
}

/** Reads the commit with the tarball forced (any missing blob), and returns what the analysis would scan. */
async function read(tarball: Buffer | Readable) {
  const gh = api(tarball);
  const r = await fetchSources(gh.request, { owner: 'o', repo: 'r', ref: 'c', tarballMinBlobs: 1 }, new BlobCache());
  const files = new Map(r.files.map((f) => [f.path, Buffer.from(f.bytes)]));
  return { r, files, gh };
}

const OK_ENTRY = (prefix = 'o-r-c/') => ({ name: `${prefix}ok.c`, body: Buffer.from('int ok(void) { return 0; }\n') });

for (const [what, entries] of [
  ['a ../ entry', [{ name: '../init.c', body: EVIL }, OK_ENTRY()]],
  ['a ../ entry inside the folder', [{ name: 'o-r-c/x/../../init.c', body: EVIL }, OK_ENTRY()]],
  ['an absolute path', [{ name: '/init.c', body: EVIL }, { name: '/o-r-c/init.c', body: EVIL }, OK_ENTRY()]],
  [
    'a pax path= that renames a harmless entry to init.c',
    [{ name: 'o-r-c/harmless.c', body: EVIL, pax: { path: 'o-r-c/init.c' } }, OK_ENTRY()],
  ],
  [
    'a pax path= that climbs out of the folder',
    [{ name: 'o-r-c/a.c', body: EVIL, pax: { path: 'o-r-c/../../init.c' } }, OK_ENTRY()],
  ],
  ['a symlink named init.c', [{ name: 'o-r-c/init.c', type: '2', linkname: '/etc/passwd' }, OK_ENTRY()]],
  [
    'a hardlink named init.c to a planted file',
    [
      { name: 'o-r-c/planted.c', body: EVIL },
      { name: 'o-r-c/init.c', type: '1', linkname: 'o-r-c/planted.c' },
      OK_ENTRY(),
    ],
  ],
  ['an entry whose content is not its blob', [{ name: 'o-r-c/init.c', body: EVIL }, OK_ENTRY()]],
] as [string, RawEntry[]][]) {
  test(`hostile tarball, ${what}: the analysis reads the commit's own blobs, nothing planted`, async () => {
    const { r, files, gh } = await read(gzipSync(rawTar(entries)));
    assert.deepEqual([...files.keys()].sort(), ['init.c', 'ok.c']);
    assert.deepEqual(files.get('init.c'), REAL);
    assert.deepEqual(files.get('ok.c'), gh.OK);
    assert.deepEqual(gh.blobsFetched, ['init.c'], 'init.c fetched as a blob; ok.c read from the archive');
    assert.equal(r.archived, 1);
  });
}

test('a tar reader never yields a path that climbs out of the archive or is absolute', async () => {
  const entries: RawEntry[] = [
    { name: '../a.c', body: EVIL },
    { name: 'o-r-c/../../b.c', body: EVIL },
    { name: '/c.c', body: EVIL },
    { name: 'o-r-c/d.c', body: EVIL, pax: { path: 'o-r-c/../../d.c' } },
    { name: 'o-r-c/fine/e.c', body: REAL },
  ];
  const seen: string[] = [];
  for await (const e of gzipTarEntries(Readable.from([gzipSync(rawTar(entries))]), {
    want: (p) => {
      seen.push(p);
      return true;
    },
    maxEntryBytes: 1 << 20,
    maxTotalBytes: 1 << 20,
  }) as AsyncIterable<TarEntry>) {
    assert.ok(!e.path.split('/').includes('..') && !e.path.startsWith('/'), e.path);
  }
  assert.ok(seen.includes('fine/e.c'));
  assert.ok(!seen.some((p) => p.split('/').includes('..')), seen.join(', '));
});

test('a 2 GiB gzip bomb is abandoned after a bounded read: the blobs are fetched, memory stays flat', async () => {
  // Generated as it is read, never held: a header claiming a 2 GiB init.c, then zeros, gzip'd (about 2 MB
  // compressed in all; the reader stops long before).
  const GiB2 = 2 * 1024 ** 3;
  let produced = 0;
  const zeros = Buffer.alloc(1 << 16);
  const source = Readable.from(
    (function* () {
      yield header('o-r-c/init.c', GiB2, '0');
      while (produced < GiB2) {
        produced += zeros.length;
        yield zeros;
      }
    })(),
  );
  const gzip = createGzip({ level: 1 });
  source.pipe(gzip);
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const { r, files, gh } = await read(gzip);
  const ms = performance.now() - started;
  assert.ok(r.archiveError, 'the archive was abandoned');
  assert.deepEqual(files.get('init.c'), REAL);
  assert.deepEqual(gh.blobsFetched.sort(), ['init.c', 'ok.c']);
  assert.ok(produced < 64 * 1024 ** 2, `${String(produced)} of 2 GiB generated before the reader stopped`);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 ** 2, 'no large allocation');
  assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
  source.destroy();
  gzip.destroy();
});
