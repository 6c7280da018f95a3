/**
 * A warm run (every result of the repository in the disk cache) loads only
 * what it needs: no parser, no linker, no rules. Module loading was most of
 * a warm CLI process's time, so a static import that brings one of them
 * back fails here. The CLI runs in a child process with a resolve hook that
 * lists every module it loads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { repoRoot } from './support/paths.js';
import { tempDir } from './support/temp.js';

// fs is imported once, at the top: an import inside the hook would come back through the hook.
const HOOK = `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (process.env.LOADED_LIST) appendFileSync(process.env.LOADED_LIST, r.url + '\\n');
  return r;
}
`;

test('a fully cached scan loads neither tree-sitter nor the parser, the linker or the rules', () => {
  const dir = tempDir({ 'hook.mjs': HOOK });
  const hook = pathToFileURL(join(dir, 'hook.mjs')).href;
  // The hook goes in through `register`, as Node 20 and 22 both take it.
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(hook)});\n`);
  const driver = resolve(repoRoot, '../shared/cases/c03-restart-violation');
  const env = { ...process.env, NDIS_REVIEW_CACHE_DIR: join(dir, 'cache'), LOADED_LIST: join(dir, 'loaded.txt') };
  const cli = join(repoRoot, 'bin', 'ndis-review.js');
  const run = () =>
    execFileSync(
      process.execPath,
      ['--import', pathToFileURL(register).href, cli, 'scan', driver, '--format', 'json', '--fail-on', 'never'],
      {
        env,
        encoding: 'utf8',
      },
    );
  const cold = run();
  const coldLoaded = readFileSync(env.LOADED_LIST, 'utf8');
  // The cold run did load them: the list is a real record of what a run loads.
  for (const m of ['/engine/parse.js', '/engine/rules.js', '/engine/program.js']) assert.ok(coldLoaded.includes(m), m);
  writeFileSync(env.LOADED_LIST, '');
  const warm = run();
  assert.equal(warm, cold, 'the warm run prints what the cold one printed');
  const loaded = readFileSync(env.LOADED_LIST, 'utf8').split('\n').filter(Boolean);
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
