#!/usr/bin/env node
// Binds the command line's `main` to this process. Setting exitCode (not
// calling process.exit) lets piped output finish writing before Node exits.
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
