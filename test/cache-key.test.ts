/**
 * The fact cache's key comes from the engine itself: the package version,
 * the rule pack and the engine's compiled code. Changing any of them changes
 * the key; nothing else does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FactCache, computeEngineKey, engineKey, type EngineKeyParts } from '../src/engine/cache.js';
import { engineCacheKey } from '../src/app/fleet.js';
import { scan } from '../src/engine/scan.js';

function engineFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-engine-'));
  writeFileSync(join(dir, 'scan.js'), 'export const a = 1;\n');
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'halt.js'), 'export const b = 2;\n');
  return dir;
}

test('the engine key is stable while the engine, the pack and the version stay the same', () => {
  const dir = engineFolder();
  try {
    const parts: EngineKeyParts = { version: '1.0.0', packFingerprint: '[pack]', engineDir: dir };
    const key = computeEngineKey(parts);
    assert.match(key, /^facts-[0-9a-f]{20}$/);
    assert.equal(computeEngineKey(parts), key);
    // Files that are not compiled code (source maps, notes) do not count.
    writeFileSync(join(dir, 'scan.js.map'), '{}');
    writeFileSync(join(dir, 'NOTES.txt'), 'x');
    assert.equal(computeEngineKey(parts), key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the engine key changes when an engine file, the pack, the version or the engine data change', () => {
  const dir = engineFolder();
  try {
    const parts: EngineKeyParts = { version: '1.0.0', packFingerprint: '[pack]', engineDir: dir };
    const key = computeEngineKey(parts);
    writeFileSync(join(dir, 'rules', 'halt.js'), 'export const b = 3;\n');
    const edited = computeEngineKey(parts);
    assert.notEqual(edited, key, 'a nested engine file edited');
    writeFileSync(join(dir, 'rules', 'halt.js'), 'export const b = 2;\n');
    assert.equal(computeEngineKey(parts), key, 'the edit undone');
    writeFileSync(join(dir, 'extra.js'), '');
    assert.notEqual(computeEngineKey(parts), key, 'an engine file added');
    rmSync(join(dir, 'extra.js'));
    assert.notEqual(computeEngineKey({ ...parts, version: '1.0.1' }), key, 'another version');
    assert.notEqual(computeEngineKey({ ...parts, packFingerprint: '[pack2]' }), key, 'another pack');
    const data = join(dir, 'wdk-macros.json');
    writeFileSync(data, '{}');
    const withData = computeEngineKey({ ...parts, dataFiles: [data] });
    assert.notEqual(withData, key, 'engine data counted');
    writeFileSync(data, '{"X":1}');
    assert.notEqual(computeEngineKey({ ...parts, dataFiles: [data] }), withData, 'engine data edited');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("this process's engine key is the one the CLI's disk cache and the fleet's Redis keys use", async () => {
  assert.equal(engineKey(), engineKey());
  assert.equal(engineCacheKey(), engineKey());
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-cache-'));
  try {
    const cache = new FactCache({ dir });
    await scan({
      root: 'k',
      files: [{ path: 'a.c', bytes: Buffer.from('int f(void) { return 0; }\n') }],
      cache,
      workers: 0,
    });
    await cache.save();
    assert.ok(
      readdirSync(dir, { recursive: true }).some((f) => String(f).includes(engineKey())),
      `a cache file under ${dir} named by the engine key`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
