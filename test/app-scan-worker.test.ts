/**
 * The analysis thread's side of the shared fact store (src/app/scan-worker.ts):
 * stored entries arrive as the store's bytes and are decoded only where the
 * thread has no parsed copy; what goes back to the store is what the store
 * lacks (or holds only lexed), serialized; bytes that do not read back are a
 * miss, never an error.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import runScan, { type ScanFile } from '../src/app/scan-worker.js';
import type { CacheEntry } from '../src/engine/cache.js';
import { repoRoot } from './support/paths.js';

const dir = resolve(repoRoot, '../shared/cases/c09-macro-wrapper-violation');
const blobSha = (b: Uint8Array) => createHash('sha1').update('blob ').update(b).digest('hex');
/** Every file of the case, with a content of its own (so no earlier test's thread cache holds it). */
function files(mark: string): ScanFile[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.c') || n.endsWith('.h'))
    .map((n) => {
      const bytes = Buffer.concat([readFileSync(join(dir, n)), Buffer.from(`\n/* ${mark} */\n`)]);
      return { path: n, bytes, sha: blobSha(bytes) };
    });
}

test('facts the store lacks go back serialized; the store then serves them and nothing goes back again', async () => {
  const first = files('first');
  const cold = await runScan({ root: 'r', files: first, collectFresh: true });
  assert.equal(cold.fresh.length, first.length, 'every file is new to the store');
  const entry = deserialize(cold.fresh[0][1]) as CacheEntry;
  assert.ok(entry.lex, 'a stored entry reads back as facts');
  // A second thread's view: the same files, the store's bytes, nothing new to give back.
  const again = await runScan({ root: 'r', files: first, preloaded: cold.fresh, collectFresh: true });
  assert.deepEqual(again.fresh, []);
  assert.ok(cold.result.findings.length > 0, 'the case has findings to compare');
  assert.deepEqual(
    again.result.findings.map((f) => `${f.path}:${String(f.line)} ${f.rule}`),
    cold.result.findings.map((f) => `${f.path}:${String(f.line)} ${f.rule}`),
  );
});

test('a stored entry with only lexical facts is replaced by the parsed one; unreadable bytes are a miss', async () => {
  const second = files('second');
  const cold = await runScan({ root: 'r', files: second, collectFresh: true });
  const parsedOne = cold.fresh.find(([, b]) => (deserialize(b) as CacheEntry).parsed !== undefined);
  assert.ok(parsedOne, 'some file of the case is parsed');
  const third = files('third');
  const sha = (f: ScanFile) => f.sha ?? '';
  const target = third.find((f) => f.path === second.find((g) => sha(g) === parsedOne[0])?.path);
  assert.ok(target);
  const lexOnly = serialize({ lex: (deserialize(parsedOne[1]) as CacheEntry).lex });
  const broken = third.find((f) => f !== target);
  assert.ok(broken);
  const out = await runScan({
    root: 'r',
    files: third,
    preloaded: [
      [sha(target), lexOnly],
      [sha(broken), new Uint8Array([1, 2, 3])],
    ],
    collectFresh: true,
  });
  const back = new Map(out.fresh);
  assert.ok((deserialize(back.get(sha(target)) ?? serialize({})) as CacheEntry).parsed, 'the parsed facts go back');
  assert.ok(back.has(sha(broken)), 'an entry that did not read back is stored again');
});
