/**
 * The CLI's disk cache keeps one file per repository under the engine's key:
 * a run reads and writes only its repository's file, the number of files is
 * bounded (least recently used out) and other engines' folders do not pile up.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FactCache, cacheFromEnv, engineKey, repositoryFile } from '../src/engine/cache.js';
import { scan, type SourceFile } from '../src/engine/scan.js';

const repo = (name: string, n: number): SourceFile[] =>
  Array.from({ length: n }, (_, i) => ({
    path: `${name}/f${String(i)}.c`,
    bytes: Buffer.from(`int ${name}_${String(i)}(int a) { return a + ${String(i)}; }\n`),
  }));

function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-store-'));
  return body(dir).finally(() => {
    rmSync(dir, { recursive: true, force: true });
  });
}

/** The repositories' files of facts in an engine's folder (each has a `.bin.runs` file of whole-run results beside it). */
const binFiles = (folder: string) => readdirSync(folder).filter((n) => n.endsWith('.bin'));

async function fill(dir: string, name: string, n: number, extra: object = {}): Promise<FactCache> {
  const cache = new FactCache({ dir, repository: `/src/${name}`, ...extra });
  await scan({ root: name, files: repo(name, n), cache, workers: 0 });
  await cache.save();
  return cache;
}

test("a run reads and writes only its repository's file", () =>
  withDir(async (dir) => {
    await fill(dir, 'alpha', 3);
    await fill(dir, 'beta', 5);
    const betaFile = repositoryFile(dir, '/src/beta');
    const betaBytes = readFileSync(betaFile);
    assert.deepEqual(readdirSync(dir), [engineKey()]);
    assert.equal(binFiles(join(dir, engineKey())).length, 2);

    // Alpha's cache holds alpha's facts only, however much beta has.
    const alpha = new FactCache({ dir, repository: '/src/alpha' });
    assert.equal(alpha.size, 3);
    const again = await scan({ root: 'alpha', files: repo('alpha', 3), cache: alpha, workers: 0 });
    assert.equal(again.stats.lexed, 0);
    // Alpha changes and is saved: beta's file is untouched.
    const edited = repo('alpha', 4);
    await scan({ root: 'alpha', files: edited, cache: alpha, workers: 0 });
    await alpha.save();
    assert.deepEqual(readFileSync(betaFile), betaBytes);
    assert.equal(new FactCache({ dir, repository: '/src/alpha' }).size, 4);
    assert.equal(new FactCache({ dir, repository: '/src/beta' }).size, 5);
  }));

test('each repository file keeps its bound on entries, most recently used first', () =>
  withDir(async (dir) => {
    await fill(dir, 'gamma', 10, { maxEntries: 4 });
    const reread = new FactCache({ dir, repository: '/src/gamma' });
    assert.equal(reread.size, 4);
    // The last files scanned are the ones kept.
    const r = await scan({ root: 'gamma', files: repo('gamma', 10).slice(6), cache: reread, workers: 0 });
    assert.equal(r.stats.lexed, 0);
  }));

test('past the bound on repositories, the least recently used file goes', () =>
  withDir(async (dir) => {
    const old = new Date(Date.now() - 3600_000);
    for (const [i, name] of ['r0', 'r1', 'r2'].entries()) {
      await fill(dir, name, 1, { maxRepositories: 3 });
      const when = new Date(old.getTime() + i * 60_000);
      utimesSync(repositoryFile(dir, `/src/${name}`), when, when);
    }
    // Reading r0 makes it recent: r1 is now the least recently used.
    new FactCache({ dir, repository: '/src/r0' });
    await fill(dir, 'r3', 1, { maxRepositories: 3 });
    assert.equal(existsSync(repositoryFile(dir, '/src/r0')), true);
    assert.equal(existsSync(repositoryFile(dir, '/src/r1')), false);
    assert.equal(existsSync(repositoryFile(dir, '/src/r2')), true);
    assert.equal(existsSync(repositoryFile(dir, '/src/r3')), true);
    // A repository's whole-run results go with its facts.
    assert.equal(existsSync(`${repositoryFile(dir, '/src/r1')}.runs`), false);
    assert.equal(existsSync(`${repositoryFile(dir, '/src/r0')}.runs`), true);
  }));

test('a run of sources scanned before reads only the whole-run result, not the facts of every file', () =>
  withDir(async (dir) => {
    const sources = [
      ...repo('zeta', 3),
      // A file the lexical pass skips: its notice comes back with the whole-run result too.
      { path: 'zeta/blob.c', bytes: Buffer.from([0x69, 0x6e, 0x74, 0x00, 0x3b]) },
      {
        path: 'zeta/mp.c',
        bytes: Buffer.from(
          '#include <ndis.h>\nVOID MpTimer(PVOID a, PVOID b, PVOID c, PVOID d) { PVOID p; NdisMMapIoSpace(&p, NULL, a, 4); }\nVOID Reg(NDIS_TIMER *t) { NdisMInitializeTimer(t, NULL, MpTimer, NULL); }\n',
        ),
      },
    ];
    const cold = await scan({ root: 'zeta', files: sources, cache: await fill(dir, 'zeta', 0), workers: 0 });
    const first = new FactCache({ dir, repository: '/src/zeta' });
    const filled = await scan({ root: 'zeta', files: sources, cache: first, workers: 0 });
    await first.save();
    assert.ok(filled.findings.length > 0, 'the sample has a finding to remember');
    // The file of facts is made unreadable: a run that needed it would lex every file again.
    writeFileSync(repositoryFile(dir, '/src/zeta'), 'not a cache');
    const warm = await scan({
      root: 'zeta',
      files: sources,
      cache: new FactCache({ dir, repository: '/src/zeta' }),
      workers: 0,
    });
    assert.deepEqual(warm.findings, cold.findings);
    assert.deepEqual(warm.notices, cold.notices);
    assert.ok(warm.notices.some((n) => n.kind === 'skipped-file' && n.path === 'zeta/blob.c'));
    assert.deepEqual(warm.directives, cold.directives);
    assert.deepEqual(warm.stats.health, cold.stats.health);
    assert.equal(warm.stats.lexed, 0);
    assert.equal(warm.stats.needed, cold.stats.needed);
    // One file changed: the whole-run result does not hold, and the facts are read (here: lexed again).
    const edited = sources.map((f, i) => (i === 0 ? { ...f, bytes: Buffer.from('int changed;\n') } : f));
    const again = await scan({
      root: 'zeta',
      files: edited,
      cache: new FactCache({ dir, repository: '/src/zeta' }),
      workers: 0,
    });
    assert.equal(again.stats.lexed, edited.length - 1, 'every file but the skipped one');
    assert.deepEqual(again.findings, cold.findings);
  }));

test("other engines' folders and the old single-file cache do not pile up", () =>
  withDir(async (dir) => {
    const old = new Date(Date.now() - 86_400_000);
    for (const name of ['facts-12.bin', 'facts-aaa', 'facts-bbb', 'facts-ccc', 'facts-ddd']) {
      const p = join(dir, name);
      if (name.endsWith('.bin')) writeFileSync(p, 'old');
      else mkdirSync(p);
      utimesSync(p, old, old);
    }
    utimesSync(join(dir, 'facts-ddd'), new Date(), new Date());
    await fill(dir, 'delta', 1);
    const left = readdirSync(dir).sort();
    assert.equal(left.length, 3, left.join(' '));
    assert.ok(left.includes(engineKey()));
    assert.ok(left.includes('facts-ddd'), 'the most recent other engine stays');
  }));

test('the CLI names its cache file by repository', () =>
  withDir(async (dir) => {
    const cache = cacheFromEnv({ NDIS_REVIEW_CACHE_DIR: dir }, '/src/epsilon');
    assert.ok(cache);
    await scan({ root: 'e', files: repo('epsilon', 2), cache, workers: 0 });
    await cache.save();
    assert.equal(existsSync(repositoryFile(dir, '/src/epsilon')), true);
    assert.equal(cacheFromEnv({ NDIS_REVIEW_CACHE: 'off', NDIS_REVIEW_CACHE_DIR: dir }), null);
  }));

test('ndis-review scan writes one cache file per repository scanned, and a warm run reads it', () =>
  withDir(async (dir) => {
    const { cli } = await import('./support/cli.js');
    const { repoRoot } = await import('./support/paths.js');
    const casesDir = join(repoRoot, '../shared/cases');
    const cacheDir = join(dir, 'cache');
    const env = { NDIS_REVIEW_CACHE_DIR: cacheDir };
    // Two repositories of their own (copies of shared cases, outside any git checkout).
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    cpSync(join(casesDir, 'p02-goto-wrong-label'), a, { recursive: true });
    cpSync(join(casesDir, 'c03-restart-violation'), b, { recursive: true });
    const first = await cli(['scan', a, '--format', 'json', '--stats'], { env });
    await cli(['scan', b, '--format', 'json'], { env });
    assert.equal(binFiles(join(cacheDir, engineKey())).length, 2);
    const warm = await cli(['scan', a, '--format', 'json', '--stats'], { env });
    assert.equal(warm.stdout, first.stdout);
    const stats = JSON.parse(warm.stderr.trim().split('\n').pop() ?? '{}') as { lexed?: number; parsed?: number };
    assert.equal(stats.lexed, 0);
    assert.equal(stats.parsed, 0);
  }));

test('a repository file brings back each entry with the size it was counted at, not counted again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-sizes-'));
  try {
    const first = new FactCache({ dir, repository: '/src/sizes' });
    const entry = { lex: { idents: ['a'] } } as unknown as Parameters<FactCache['set']>[1];
    first.set('k', entry);
    const counted = first.bytes;
    // Grown in place after it was counted (as function details grow parsed facts): counting again
    // would give a larger size, so an equal size says the saved one was used.
    (entry as unknown as { lex: { idents: string[] } }).lex.idents.push(
      ...Array.from({ length: 500 }, (_, i) => `n${String(i)}`),
    );
    await first.save();
    const again = new FactCache({ dir, repository: '/src/sizes' });
    assert.equal(again.size, 1);
    assert.equal(again.bytes, counted);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
