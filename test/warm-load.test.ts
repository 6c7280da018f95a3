/**
 * A warm run (every result of the repository in the disk cache) loads only
 * what it needs: no parser, no linker, no rules. Module loading was most of
 * a warm CLI process's time, so a static import that brings one of them
 * back fails here. The CLI runs in a child process with a resolve hook that
 * lists every module it loads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadRecorder } from './support/load-hook.js';
import { repoRoot } from './support/paths.js';

test('a fully cached scan loads neither tree-sitter nor the parser, the linker or the rules', () => {
  const rec = loadRecorder();
  const driver = resolve(repoRoot, '../shared/cases/c03-restart-violation');
  // The compiled sources, whose module names this test reads (test/cli-bundle.test.ts checks the bundle).
  const env = { ...process.env, ...rec.env, NDIS_REVIEW_CACHE_DIR: join(rec.dir, 'cache'), NDIS_REVIEW_BUNDLE: '0' };
  const cli = join(repoRoot, 'bin', 'ndis-review.js');
  const run = () =>
    execFileSync(process.execPath, [...rec.nodeArgs, cli, 'scan', driver, '--format', 'json', '--fail-on', 'never'], {
      env,
      encoding: 'utf8',
    });
  const cold = run();
  const coldLoaded = rec.loaded().join('\n');
  // The cold run did load them: the list is a real record of what a run loads.
  for (const m of ['/engine/parse.js', '/engine/rules.js', '/engine/program.js']) assert.ok(coldLoaded.includes(m), m);
  rec.reset();
  const warm = run();
  assert.equal(warm, cold, 'the warm run prints what the cold one printed');
  const loaded = rec.loaded();
  assert.ok(
    loaded.some((u) => u.endsWith('/engine/scan.js')),
    'the hook saw the warm run',
  );
  const unwanted = loaded.filter((u) =>
    /\/node_modules\/tree-sitter|\/engine\/(parse|extract|lite|expand|program|rules|paths|pool)\.js$|\/engine\/rules\//.test(
      u,
    ),
  );
  assert.deepEqual(unwanted, []);
});
