// Bundles the compiled CLI (dist/src/cli.js) into dist/cli/, twice:
// - cli.cjs, the whole CLI in one CommonJS file, which bin/ndis-review.js runs through V8's code cache
//   (see bin/ndis-review.js): measured over the 72 drivers of the evaluation corpus, one fresh process
//   each, 42.5 s from the ES module chunks below, 40.5 s from one CommonJS file, 37.6 s from it with the
//   code cache (same minutes, interleaved). A code cache is per V8 build, so this script makes one for
//   the Node that runs it, by scanning the repository's own rule-pack cases with every rule on (that
//   compiles nearly every function a scan runs); another Node makes its own on its first run.
// - ES module chunks (esbuild's code splitting keeps each `await import(...)` a chunk of its own) with
//   the parse worker (worker.js), which worker threads load, and which bin/ndis-review.js runs when
//   cli.cjs is absent or older than the compiled sources.
// Packages stay outside the bundle (their own files, native bindings), and dist/cli sits beside
// dist/src so paths found from `import.meta.url` (the package root, the worker thread's `worker.js`)
// are the same. bin/ndis-review.js runs a bundle only when it is at least as new as dist/src/cli.js.
//
// Run after tsc: node scripts/bundle.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'dist', 'src');
const out = join(root, 'dist', 'cli');

try {
  statSync(join(src, 'cli.js'));
} catch {
  process.stderr.write('bundle: dist/src/cli.js is missing: compile first (npm run build)\n');
  process.exit(2);
}

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { cli: join(src, 'cli.js'), worker: join(src, 'engine', 'worker.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
// One CommonJS file for the command line. `import.meta.url` becomes this file's own URL: dist/cli is
// where the chunks above find the package root and worker.js from, so every path reads the same.
await build({
  entryPoints: [join(src, 'cli.js')],
  outfile: join(out, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  define: { 'import.meta.url': '__bundleUrl' },
  // ES modules are strict: so is their bundle.
  banner: { js: `'use strict';\nconst __bundleUrl = require('node:url').pathToFileURL(__filename).href;` },
});

// The code cache for this Node: a scan of the rule-pack cases with every rule on, through the bundle.
const cases = join(root, 'test', 'cases-pack');
if (existsSync(cases)) {
  const config = join(root, 'eval', 'ndis-review.yml');
  const env = { ...process.env };
  delete env.NDIS_REVIEW_BUNDLE;
  delete env.NDIS_REVIEW_CODE_CACHE;
  delete env.NDIS_REVIEW_CODE_CACHE_DIR;
  const run = spawnSync(
    process.execPath,
    [join(root, 'bin', 'ndis-review.js'), 'scan', cases, '--no-cache', '--fail-on', 'never', '--config', config],
    { encoding: 'utf8', env },
  );
  const made = readdirSync(out).some((f) => f.endsWith('.codecache'));
  if (run.status !== 0 || !made)
    process.stderr.write(
      `bundle: no code cache was made (the scan exited ${String(run.status)}; ${run.stderr.split('\n')[0]}); the first run makes one\n`,
    );
}
