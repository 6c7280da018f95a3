/**
 * `npm run eval:moved` (eval/moved.ts): the moved-facts check the README's figures on real drivers come
 * from, run here over the shared cases as its corpus.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { checkMoved, MOVED_EDITS } from '../eval/moved.js';
import { repoRoot } from './support/paths.js';

test('every token-keeping edit of the shared cases: moved facts and bodies equal a fresh parse', () => {
  const r = checkMoved(resolve(repoRoot, '../shared/cases'), 1);
  assert.deepEqual(r.differences, []);
  assert.ok(r.files > 20, `files: ${String(r.files)}`);
  assert.deepEqual(Object.keys(r.byEdit), Object.keys(MOVED_EDITS));
  // Most edits move most files; the line breaks at token starts are mostly parsed (a split line).
  assert.ok(r.byEdit['top comment'].moved > r.files / 2, JSON.stringify(r.byEdit));
  assert.ok(r.byEdit['line breaks'].parsed > 0);
  assert.ok(r.bodies > 50, `bodies: ${String(r.bodies)}`);
});
