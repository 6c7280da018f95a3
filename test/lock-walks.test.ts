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
import { defined } from '../src/util/defined.js';

const lintCase = (name: string) => resolve(repoRoot, 'test/cases-lint/spinlock-balance', name);

test('a callback through a macro whose builds lock differently is walked per build, followed where each build is', async () => {
  // NicReset (its allocator macro makes no lock call in either build), NicCheck (its lock wrapper takes
  // the lock under two names: followed in both builds) and NicSend (its send-lock macro returns from
  // the middle in the debug build: not followed).
  const r = await scan({ root: lintCase('if-branch-macros'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 3, notFollowed: 1 });
});

test("the ndislwf sample's two builds of its lock macros are both followed", async () => {
  // Debug: audit helpers handed the FILTER_LOCK; release: either-form calls on the lock itself. The
  // statistics macros' three builds do not make the two-build callbacks walk a third, unfollowed one.
  const r = await scan({ root: lintCase('build-variants'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 4, notFollowed: 0 });
});

test('helpers that call each other are followed where the cycle is balanced on the whole', async () => {
  // NicReturn and NicSend reach the send/complete cycle; NicCheck's and NicReset's helpers recurse with
  // the lock held.
  const r = await scan({ root: lintCase('recursive-helpers'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 4, notFollowed: 2 });
});

test('a helper that releases a lock in the other form than its take is followed, the mismatch a finding of its own', async () => {
  const r = await scan({ root: lintCase('helper-mismatch'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 3, notFollowed: 0 });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${defined(f.messageId)}`),
    ['29 dprMismatch', '58 heldAtReturn'],
  );
});

test('helpers of either form are followed; a helper that never returns is not', async () => {
  // NicReturn, NicOid and NicReset in full; NicCheck calls a helper with no exit.
  const r = await scan({ root: lintCase('form-helpers'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 4, notFollowed: 1 });
});

test('a loop testing a new value each time round, and checks past the last lock call, are followed', async () => {
  // NicDpc's sixteen bits of a register read at the loop's head, NicOid's sixteen flags with no lock
  // call ahead, NicSend's sixteen flags each tested twice before its lock calls: one state per
  // combination of them ran each past its steps. NicReset reads its status twice; NicCheck once.
  const r = await scan({ root: lintCase('loop-decisions'), cache: null, workers: 0 });
  assert.deepEqual(r.stats.lockWalks, { callbacks: 5, notFollowed: 0 });
  assert.deepEqual(
    r.findings.map((f) => `${f.path}:${String(f.line)} ${defined(f.messageId)}`),
    ['miniport.c:70 heldAtReturn', 'miniport.c:121 releaseNotHeld', 'miniport.c:123 heldAtReturn'],
  );
});

test('the evaluation reads the figure from the --stats line, and goes on without it', () => {
  const report = JSON.stringify({ findings: [], notices: [], complete: true });
  const health = { parsedFiles: 1, damagedFiles: 0, functions: 2, damagedFunctions: [] };
  const withWalks = JSON.stringify({ health, apiCalls: {}, lockWalks: { callbacks: 4, notFollowed: 1 } });
  assert.deepEqual(parseScanOutput(report, `${withWalks}\n`, 1).lockWalks, { callbacks: 4, notFollowed: 1 });
  assert.equal(parseScanOutput(report, JSON.stringify({ health, apiCalls: {} }), 1).lockWalks, undefined);
});
