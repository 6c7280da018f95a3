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
  assert.ok(r.notices.some((n) => n.kind === 'parse-recovered' && n.line !== undefined && n.line >= 8 && n.line <= 14));
  assert.equal(r.complete, true, JSON.stringify(r.notices));
});
