/**
 * The rules-stage bench (`bench/rules-stage.ts`): what it times is the median
 * of its rounds, after one scan it does not count (the compiler's warm-up).
 * The bench itself runs on a real corpus, outside the tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, rulesMedian } from '../bench/rules-stage.js';
import type { ScanOptions } from '../src/engine/scan.js';
import type { ScanResult } from '../src/engine/types.js';

test('the rules stage is timed as the median of its rounds, the warm-up scan not counted', async () => {
  const times = [500, 9, 7, 8, 100, 6];
  const asked: ScanOptions[] = [];
  const fake = (opts: ScanOptions): Promise<ScanResult> => {
    asked.push(opts);
    return Promise.resolve({
      stats: { ms: { rules: times[asked.length - 1] }, walkSteps: 1234 },
    } as unknown as ScanResult);
  };
  assert.deepEqual(await rulesMedian(fake, '/corpus/drv', ['ndis/shared-memory'], 5), { ms: 8, steps: 1234 });
  assert.equal(asked.length, 6, 'one warm-up and five rounds');
  for (const o of asked) {
    assert.equal(o.root, '/corpus/drv');
    assert.equal(o.cache, null, 'no cache: every round analyses');
    assert.equal(o.workers, 0);
    assert.deepEqual(o.enable, ['ndis/shared-memory']);
  }
});

test('median of an odd and of an even list', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});
