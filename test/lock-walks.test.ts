/**
 * `stats.lockWalks`: how many callbacks the lock rule walked in a scan, and how many of them had a
 * path or a lock it did not follow (its page lists why). The evaluation sums it over the corpus.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { scan } from '../src/engine/scan.js';
import { parseScanOutput } from '../eval/scanner.js';
import { repoRoot } from './support/paths.js';

const lintCase = (name: string) => resolve(repoRoot, 'test/cases-lint/spinlock-balance', name);

test('a callback with a path through a macro whose builds lock differently counts as not followed', async () => {
  // NicReset (followed: its allocator macro makes no lock call in either build) and NicCheck (its lock
  // wrapper takes the lock under two names): the two callbacks that lock.
  const r = await scan({ root: lintCase('if-branch-macros'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 2, notFollowed: 1 });
});

test('helpers of either form are followed; a helper that never returns is not', async () => {
  // NicReturn, NicOid and NicReset in full; NicCheck calls a helper with no exit.
  const r = await scan({ root: lintCase('form-helpers'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 4, notFollowed: 1 });
});

test('the evaluation reads the figure from the --stats line, and goes on without it', () => {
  const report = JSON.stringify({ findings: [], notices: [], complete: true });
  const health = { parsedFiles: 1, damagedFiles: 0, functions: 2, damagedFunctions: [] };
  const withWalks = JSON.stringify({ health, apiCalls: {}, lockWalks: { callbacks: 4, notFollowed: 1 } });
  assert.deepEqual(parseScanOutput(report, `${withWalks}\n`, 1).lockWalks, { callbacks: 4, notFollowed: 1 });
  assert.equal(parseScanOutput(report, JSON.stringify({ health, apiCalls: {} }), 1).lockWalks, undefined);
});
