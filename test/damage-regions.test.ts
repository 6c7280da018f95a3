/**
 * Damage the metamorphic fuzzing (test/metamorphic.test.ts, 1,500 runs)
 * found to spill over into intact functions: tree-sitter's recovery leaves
 * the rest of a function (its labels, its closing brace) as items of their
 * own at file scope. They must join the damaged region, so the intact
 * function after the damage keeps its finding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support/paths.js';
import { scanTexts } from './support/ruleTester.js';

const p02 = readFileSync(resolve(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'), 'latin1');

test('a bracket soup in a new function before initialize leaves its goto finding in place', async () => {
  const lines = p02.split('\n');
  const leak = lines.findIndex((l) => l.includes('EXPECT: ndis/unmap-on-failure')) + 1;
  assert.ok(leak > 7);
  const inserted = ['', 'static void fuzz(void)', '{', '    [ zq ? . (', '    {', '    } ) ]', '}', ''];
  const damaged = [...lines.slice(0, 7), ...inserted, ...lines.slice(7)].join('\n');
  const r = await scanTexts({ 'init.c': damaged });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [`${String(leak + inserted.length)} ndis/unmap-on-failure`],
    JSON.stringify(r.notices),
  );
  // Nothing reads `fuzz` (no rule's path or API reaches it), so its damage changes no result: no notice.
  assert.deepEqual(
    r.notices.filter((n) => n.kind === 'parse-recovered'),
    [],
  );
  assert.equal(r.complete, true, JSON.stringify(r.notices));
});

test('the same bracket soup in a helper whose body a rule reads: the file says where', async () => {
  const lines = p02.split('\n');
  const leak = lines.findIndex((l) => l.includes('EXPECT: ndis/unmap-on-failure')) + 1;
  // `fuzz` unmaps, so the unmap rules read its body (one that calls nothing they follow is never read).
  const inserted = [
    '',
    'static void fuzz(PADAPTER Adapter)',
    '{',
    '    NdisMUnmapIoSpace(Adapter->Handle, Adapter->Flash, FLASH_LEN);',
    '    [ zq ? . (',
    '    {',
    '    } ) ]',
    '}',
    '',
  ];
  const at = lines.findIndex((l) => l.startsWith('MINIPORT_INITIALIZE'));
  const withCall = [...lines.slice(0, at), ...inserted, ...lines.slice(at)]
    .join('\n')
    .replace(/(NdisMMapIoSpace\([^;]*;)/, '$1 fuzz(Adapter);');
  assert.ok(withCall.includes('fuzz(Adapter);'));
  const r = await scanTexts({ 'init.c': withCall });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [`${String(leak + inserted.length)} ndis/unmap-on-failure`],
  );
  assert.deepEqual(
    r.notices.filter((n) => n.kind === 'parse-recovered').map((n) => n.line),
    [at + 2],
    JSON.stringify(r.notices),
  );
});
