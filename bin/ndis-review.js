#!/usr/bin/env node
// Binds the command line's `main` to this process. Setting exitCode (not
// calling process.exit) lets piped output finish writing before Node exits.
import { statSync } from 'node:fs';

// The bundled CLI (dist/cli, scripts/bundle.mjs) loads in a handful of files instead of about a
// hundred modules. It runs only when it is at least as new as the compiled sources, so a compile
// without a new bundle never runs stale code; NDIS_REVIEW_BUNDLE=0 runs the compiled sources.
function bundleIsCurrent() {
  if (process.env.NDIS_REVIEW_BUNDLE === '0') return false;
  try {
    const at = (p) => statSync(new URL(p, import.meta.url)).mtimeMs;
    return at('../dist/cli/cli.js') >= at('../dist/src/cli.js');
  } catch {
    return false;
  }
}

const { main } = await import(bundleIsCurrent() ? '../dist/cli/cli.js' : '../dist/src/cli.js');

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
