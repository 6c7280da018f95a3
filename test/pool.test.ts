/** The parse pool: one file's failure, in this thread or in a worker, costs that file only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBytes, preparedOf, type ParsedEntry } from '../src/engine/filefacts.js';
import { ParsePool, parseBatch, type ParseJob } from '../src/engine/pool.js';

/** A file of `n` small functions; its first is `Good<i>`. */
function source(i: number, n: number): Buffer {
  const fns = Array.from(
    { length: n },
    (_, k) =>
      `int Good${String(i)}_${String(k)}(int a) { if (a > ${String(k)}) return Helper${String(k)}(a); return 0; }`,
  );
  return Buffer.from(fns.join('\n') + '\n');
}

/** Jobs for `count` files, every `every`-th with bytes that are not bytes, so that its parse throws. */
function jobs(count: number, every: number, fns: number) {
  const parsed = new Map<number, ParsedEntry>();
  const failed = new Map<number, Error>();
  const list: ParseJob[] = Array.from({ length: count }, (_, i) => {
    // Not a byte array: its decoding throws (a TypeError), in this thread or in a worker.
    const bytes = i % every === 2 ? ({ length: 64 } as unknown as Uint8Array) : source(i, fns);
    return {
      bytes,
      done: (facts) => {
        parsed.set(i, facts);
      },
      fail: (error) => {
        failed.set(i, error);
      },
    };
  });
  return { list, parsed, failed };
}

test('a file whose parse throws in this thread fails alone; the others are parsed', async () => {
  const { list, parsed, failed } = jobs(4, 4, 1);
  await parseBatch(list, 0);
  assert.deepEqual([...failed.keys()], [2]);
  assert.ok(failed.get(2) instanceof TypeError);
  assert.deepEqual([...parsed.keys()].sort(), [0, 1, 3]);
  for (const [i, facts] of parsed) assert.deepEqual(facts.functions.map((f) => f.name)[0], `Good${String(i)}_0`);
});

test('a file whose parse throws in a worker fails alone; the others are parsed', async () => {
  const { list, parsed, failed } = jobs(12, 3, 5);
  const used = await parseBatch(list, 2, { callerParses: false });
  assert.equal(used, 2);
  assert.deepEqual(
    [...failed.keys()].sort((a, b) => a - b),
    [2, 5, 8, 11],
  );
  assert.equal(parsed.size, 8);
  for (const [i, facts] of parsed) assert.equal(facts.functions[0].name, `Good${String(i)}_0`);
  for (const e of failed.values()) assert.match(e.message, /\S/);
});

test('one pool parses batch after batch with the same workers, then closes', async () => {
  const pool = new ParsePool(1);
  try {
    for (let round = 0; round < 3; round++) {
      const { list, parsed, failed } = jobs(6, 3, 2);
      // Only the worker parses: every file of every round comes back through it.
      await pool.run(list, { callerParses: false });
      assert.equal(pool.size, 1, `round ${String(round)}: the worker is still there`);
      assert.deepEqual(
        [...failed.keys()].sort((a, b) => a - b),
        [2, 5],
      );
      assert.equal(parsed.size, 4);
    }
  } finally {
    await pool.close();
  }
  assert.equal(pool.size, 0);
});

test('a pool whose workers are gone parses what is left in the calling thread', async () => {
  const pool = new ParsePool(1);
  await pool.close();
  const { list, parsed, failed } = jobs(5, 10, 1);
  await pool.run(list, { callerParses: false });
  assert.equal(parsed.size, 4);
  assert.deepEqual([...failed.keys()], [2]);
});

test('the variants a worker prepared are kept in this thread, as this thread would prepare them', async () => {
  const text = [
    '#if DBG',
    'int Trace(void) { return Log(1); }',
    '#else',
    'int Trace(void) { return 0; }',
    '#endif',
    'int Init(int a) { return Map(a); }',
    '',
  ];
  const bytes = Buffer.from(text.join('\n'));
  let facts: ParsedEntry | undefined;
  const used = await parseBatch(
    [
      {
        bytes,
        done: (f) => {
          facts = f;
        },
        fail: (e) => {
          throw e;
        },
      },
      { bytes: source(0, 1), done: () => undefined, fail: (e) => assert.fail(e) },
    ],
    1,
    { callerParses: false },
  );
  assert.equal(used, 1);
  assert.ok(facts);
  const kept = preparedOf(bytes);
  assert.ok(kept, 'the variants came back with the facts');
  // What this thread prepares from a copy of the same bytes.
  const copy = Buffer.from(bytes);
  parseBytes(copy);
  assert.deepEqual(kept, preparedOf(copy));
  assert.equal(kept.variants.length, 2);
});
