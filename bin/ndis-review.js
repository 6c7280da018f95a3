#!/usr/bin/env node
// Binds the command line's `main` to this process. Setting exitCode (not
// calling process.exit) lets piped output finish writing before Node exits.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
const at = (p) => join(here, '..', p);

// The bundled CLI (dist/cli, scripts/bundle.mjs) runs only when it is at least as new as the compiled
// sources, so a compile without a new bundle never runs stale code; NDIS_REVIEW_BUNDLE=0 runs the
// compiled sources. cli.cjs (one CommonJS file) is run through V8's code cache; the ES module chunks
// (cli.js) are the fallback where it is missing.
function current(bundle) {
  if (process.env.NDIS_REVIEW_BUNDLE === '0') return false;
  try {
    return statSync(at(bundle)).mtimeMs >= statSync(at('dist/src/cli.js')).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Runs dist/cli/cli.cjs with V8's code cache: the bytecode of the functions a scan compiled, kept in a
 * file, so a fresh process does not parse and compile them again (measured: 40.5 → 37.6 s for one
 * process per driver of the evaluation corpus). The file is named by the bundle's content, not its
 * length (V8's own check), so a rebuilt bundle never meets an old cache, and by the V8 build and
 * architecture; V8 rejects a cache made with other flags, and a checksum ahead of the cache keeps a
 * damaged file from being used. Where there is none, or it is rejected or damaged, a `scan` writes
 * one when it has finished (atomically; a folder it cannot write is left as it is): a scan compiles
 * the functions scans run, where `--version` would leave a cache of start-up code that later runs
 * would keep using. A new cache removes those of other bundles (never another Node's for this one).
 * NDIS_REVIEW_CODE_CACHE=0 runs without; NDIS_REVIEW_CODE_CACHE_DIR puts the file elsewhere than
 * beside the bundle; NDIS_REVIEW_CODE_CACHE=report also says on stderr what became of it.
 */
function loadWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const mode = process.env.NDIS_REVIEW_CODE_CACHE;
  const useCache = mode !== '0';
  const dir = process.env.NDIS_REVIEW_CODE_CACHE_DIR || dirname(file);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const name = `cli-${digest}-v8-${process.versions.v8}-${process.arch}.codecache`;
  const cacheFile = join(dir, name);
  // The file is a SHA-256 of the cache, then the cache: V8 checks a cache's version and flags but not
  // its bytes (in a release build), and a damaged one would run as bytecode.
  let cachedData;
  let damaged = false;
  if (useCache)
    try {
      const bytes = readFileSync(cacheFile);
      const payload = bytes.subarray(32);
      if (bytes.length > 32 && createHash('sha256').update(payload).digest().equals(bytes.subarray(0, 32)))
        cachedData = payload;
      else damaged = true;
    } catch {
      cachedData = undefined;
    }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const finish = () => {
    if (!useCache) return;
    const state = damaged
      ? 'damaged'
      : cachedData === undefined
        ? 'absent'
        : script.cachedDataRejected
          ? 'rejected'
          : 'used';
    let wrote = false;
    const scanned = process.argv.slice(2).find((a) => !a.startsWith('-')) === 'scan';
    if (state !== 'used' && scanned)
      try {
        const tmp = `${cacheFile}.${String(process.pid)}.tmp`;
        const data = script.createCachedData();
        writeFileSync(tmp, Buffer.concat([createHash('sha256').update(data).digest(), data]));
        renameSync(tmp, cacheFile);
        wrote = true;
        // Caches of other bundles (earlier builds) in this folder: no run can use them again.
        for (const f of readdirSync(dir)) {
          const other = /^cli-([0-9a-f]{16})-v8-.*\.codecache$/.exec(f);
          if (other && other[1] !== digest) unlinkSync(join(dir, f));
        }
      } catch {
        // A folder this user cannot write (a package installed by another): the next run compiles too.
      }
    if (mode === 'report') process.stderr.write(`code cache: ${state}${wrote ? ', written' : ''}\n`);
  };
  return { main: module.exports.main, finish };
}

const { main, finish } = current('dist/cli/cli.cjs')
  ? loadWithCodeCache(at('dist/cli/cli.cjs'))
  : await import(current('dist/cli/cli.js') ? '../dist/cli/cli.js' : '../dist/src/cli.js');

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
// The ES module CLIs have no code cache to keep.
finish?.();
