/**
 * The configuration's parsed YAML, remembered in the CLI's cache folder by its text
 * (`src/cli/config-cache.ts`): a warm run with a `.github/ndis-review.yml` does not load the YAML
 * parser, and what it reads is what a parse gives.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readConfigTextCached } from '../src/cli/config-cache.js';
import { readConfigText } from '../src/review/config-file.js';
import { repoRoot } from './support/paths.js';
import { tempDir } from './support/temp.js';

const TEXT = 'rules:\n  ndis/shared-memory: error\n  ndis/unmap-length: off\n';

test('a configuration parsed once is read back from the cache folder, as the parse gave it', () => {
  const dir = tempDir();
  const first = readConfigTextCached(TEXT, dir);
  assert.deepEqual(first, readConfigText(TEXT));
  const entries = readdirSync(path.join(dir, 'configs'));
  assert.equal(entries.length, 1);
  // What the second read returns comes from the entry, not from a parse: a changed entry shows it.
  writeFileSync(path.join(dir, 'configs', entries[0]), JSON.stringify({ value: { rules: { marker: 'error' } } }));
  assert.deepEqual(readConfigTextCached(TEXT, dir), { value: { rules: { marker: 'error' } } });
  // Another text is another entry.
  assert.deepEqual(readConfigTextCached('report: all\n', dir), { value: { report: 'all' } });
  assert.equal(readdirSync(path.join(dir, 'configs')).length, 2);
});

test('a value JSON would change, an unreadable entry or no cache folder: parsed each time, never an error', () => {
  const dir = tempDir();
  const inf = readConfigTextCached('limit: .inf\n', dir);
  assert.deepEqual(inf, { value: { limit: Infinity } });
  assert.equal(existsSync(path.join(dir, 'configs')) ? readdirSync(path.join(dir, 'configs')).length : 0, 0);
  // An error is remembered as the same line.
  const bad = readConfigTextCached('rules: [', dir);
  assert.ok('error' in bad && bad.error.startsWith('invalid YAML'));
  assert.deepEqual(readConfigTextCached('rules: [', dir), bad);
  // A cache folder that is a file: nothing can be written, the parse still answers.
  const file = path.join(tempDir(), 'not-a-folder');
  writeFileSync(file, '');
  assert.deepEqual(readConfigTextCached(TEXT, file), readConfigText(TEXT));
  assert.deepEqual(readConfigTextCached(TEXT, null), readConfigText(TEXT));
});

test('a warm scan of a repository with a configuration does not load the YAML parser', () => {
  const repo = tempDir({
    '.github/ndis-review.yml': TEXT,
    'mp.c': 'NDIS_STATUS MpInit(NDIS_HANDLE h) { return NDIS_STATUS_SUCCESS; }\n',
  });
  const cache = tempDir();
  // A fresh process each time: whether `yaml` is in the require cache after the scan.
  const probe = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'src', 'cli.js'))});
    const io = { stdout: () => {}, stderr: (s) => process.stderr.write(s), env: process.env, cwd: process.cwd(), isTTY: false };
    await main(['scan', ${JSON.stringify(repo)}, '--fail-on', 'never'], io);
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/yaml/dist/'));
    process.stdout.write(loaded ? 'yaml loaded' : 'yaml not loaded');`;
  const run = () =>
    execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: { ...process.env, NDIS_REVIEW_CACHE_DIR: cache, NDIS_REVIEW_CACHE: '' },
      encoding: 'utf8',
    });
  assert.equal(run(), 'yaml loaded');
  assert.equal(run(), 'yaml not loaded');
});
