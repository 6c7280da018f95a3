/**
 * Every cache a long-lived process keeps is bounded: the engine's facts and
 * the app's blobs by bytes, least recently used out first.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { serialize } from 'node:v8';
import { FactCache, factBytes, type CacheEntry } from '../src/engine/cache.js';
import { lexBytes, loadFunctionDetail, parseBytes } from '../src/engine/filefacts.js';
import { scan } from '../src/engine/scan.js';
import { BlobCache } from '../src/app/source.js';
import { leakyDriver } from './support/drivers.js';

const file = (i: number) => ({
  path: `f${String(i)}.c`,
  bytes: Buffer.from(`int helper_${String(i)}(int a) { return a + ${String(i)}; }\n/* ${'x'.repeat(2000)} */\n`),
});

test('the fact cache stays within its byte bound however many files it sees, dropping the least recently used', async () => {
  const probe = new FactCache();
  await scan({ root: 'probe', files: [file(0)], cache: probe, workers: 0 });
  assert.ok(probe.bytes > 0);
  // Room for about five files' facts.
  const max = probe.bytes * 5;
  const cache = new FactCache({ maxBytes: max });
  for (let i = 0; i < 40; i++) await scan({ root: `r${String(i)}`, files: [file(i)], cache, workers: 0 });
  assert.ok(cache.bytes <= max, `${String(cache.bytes)} bytes held, bound ${String(max)}`);
  assert.ok(cache.size >= 3 && cache.size <= 6, `${String(cache.size)} entries`);
  // The newest file is still cached: a re-scan lexes nothing.
  const again = await scan({ root: 'again', files: [file(39)], cache, workers: 0 });
  assert.equal(again.stats.lexed, 0);
  // The oldest is gone: it is lexed again.
  const old = await scan({ root: 'old', files: [file(0)], cache, workers: 0 });
  assert.equal(old.stats.lexed, 1);
});

test('the byte bound counts the function details the rules add to an entry after it was stored', async () => {
  const bytes = Buffer.from(leakyDriver(40));
  const cache = new FactCache();
  const result = await scan({ root: 'r', files: [{ path: 'drv.c', bytes }], cache, workers: 0 });
  assert.equal(result.findings.length, 40);
  const entry = cache.get(createHash('sha1').update(bytes).digest('hex'));
  assert.ok(entry?.parsed?.details && Object.keys(entry.parsed.details).length > 0, 'the rules parsed details');
  // Counted when the parse stored the entry, before the details, it was a fraction of this.
  assert.equal(cache.bytes, factBytes(entry));
});

test('an entry weighs its serialized size', () => {
  const small: CacheEntry = {};
  assert.ok(factBytes(small) >= 1);
  const lex = { lex: { idents: Array.from({ length: 1000 }, (_, i) => `name_${String(i)}`) } } as unknown as CacheEntry;
  assert.ok(factBytes(lex) > 8000);
});

test('the blob cache keeps the most recently used blobs within its byte bound', () => {
  const blobs = new BlobCache(3000);
  for (let i = 0; i < 10; i++) blobs.set(`sha${String(i)}`, new Uint8Array(1000));
  assert.ok(blobs.bytes <= 3000);
  assert.equal(blobs.has('sha9'), true);
  assert.equal(blobs.has('sha0'), false);
  // Reading a blob makes it recent: it outlives a newer one.
  blobs.get('sha7');
  blobs.set('sha10', new Uint8Array(1000));
  assert.equal(blobs.has('sha7'), true);
  assert.equal(blobs.has('sha8'), false);
});

test('an entry counts its parts once each, and grows by the details the rules add', () => {
  const bytes = Buffer.from(
    'int F(int a)\n{\n    if (a) return G(a);\n    return 0;\n}\nint H(void) { return F(1); }\n',
  );
  const parsed = parseBytes(bytes);
  const entry: CacheEntry = { lex: lexBytes(bytes), parsed };
  const before = factBytes(entry);
  for (const f of parsed.functions) loadFunctionDetail(bytes, parsed, f);
  const after = factBytes(entry);
  assert.ok(after > before, `${String(before)} → ${String(after)}`);
  // Within a tenth of the whole entry serialized at once.
  const whole = serialize(entry).length;
  assert.ok(Math.abs(after - whole) <= whole / 10, `${String(after)} against ${String(whole)}`);
});
