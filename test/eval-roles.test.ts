/**
 * `npm run eval:roles` (eval/roles.ts): which labelled callbacks the engine knows as callbacks, run
 * here over a shared case with its evaluation label and one function the label calls a callback that
 * nothing registers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseLabel } from '../eval/labels.js';
import { roleRecall } from '../eval/roles.js';
import { repoRoot } from './support/paths.js';

test('the labelled initialize and halt have roles; a labelled callback nothing registers is listed as missing', () => {
  const file = resolve(repoRoot, 'test/fixtures/eval/labels/case-p01.json');
  const label = parseLabel(
    {
      ...(JSON.parse(readFileSync(file, 'utf8')) as object),
      callbacks: [{ name: 'AdReadEeprom', file: 'init.c', line: 89, role: 'work-item' }],
    },
    file,
  );
  const r = roleRecall(resolve(repoRoot, '../shared/cases/p01-goto-ladder-ok'), label);
  assert.equal(r.callbacks, 3);
  assert.equal(r.known, 2);
  assert.deepEqual(r.missing, [
    { driver: 'case-p01', name: 'AdReadEeprom', file: 'init.c', line: 89, role: 'work-item' },
  ]);
});
