// Bundles the compiled CLI (dist/src/cli.js) into dist/cli/: one file per part the CLI loads on
// demand (esbuild's code splitting keeps each `await import(...)` a chunk of its own), so a run
// resolves and reads a handful of files instead of about a hundred modules. Measured: a scan with
// nothing to parse, 155 -> 117 ms a process (median of 15). Packages stay outside the bundle (their own files,
// native bindings), and dist/cli sits beside dist/src so paths found from `import.meta.url` (the
// package root, the worker thread's `worker.js`) are the same. bin/ndis-review.js runs the bundle
// only when it is at least as new as dist/src/cli.js.
//
// Run after tsc: node scripts/bundle.mjs
import { rmSync, statSync } from 'node:fs';
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
