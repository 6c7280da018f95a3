/**
 * The scaling bench's generators (`bench/scaling.ts`), small: each family's two smallest sizes say
 * what they must (the leak or the context finding, the witness's leak, no `budget` notice). The
 * bench times them at full size; here only the answers are checked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES, filesOf, middleOf } from '../bench/scaling.js';
import { judge } from '../bench/hostile.js';
import { scan } from '../src/engine/scan.js';

test('each scaling family, at its two smallest sizes, gives its findings and no budget notice', async () => {
  for (const fam of FAMILIES)
    for (const n of fam.sizes.slice(0, 2)) {
      const h = fam.make(n);
      const r = await scan({ root: 'scaling', files: filesOf(h), cache: null, workers: 0 });
      assert.deepEqual(judge(r, h), [], `${fam.name} at ${String(n)}`);
      assert.ok(h.findings.length >= 2, `${fam.name}: the input's own finding beside the witness's`);
    }
});

test('the middle size a family is compared at is half its largest, or the nearest below', () => {
  assert.equal(middleOf([100, 250, 500, 1000, 2000, 4000]), 2000);
  assert.equal(middleOf([10, 30, 100]), 30);
  assert.equal(middleOf([7]), 7);
});
