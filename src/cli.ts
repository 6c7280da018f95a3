/**
 * The `ndis-review` command line. `main` takes its inputs and outputs as
 * parameters and returns the exit status, so tests drive it like a function;
 * `bin/ndis-review.js` binds it to the real process.
 */

import { parseCommandLine, type Command, type ScanCommand } from './cli/args.js';
import { UsageError, UserError } from './cli/errors.js';
import { EXIT, type CliIo } from './cli/io.js';
import { packageVersion } from './package.js';

export type { CliIo } from './cli/io.js';

const USAGE = `Usage: ndis-review scan [DIR] [options]
       ndis-review rules
       ndis-review explain RULE
       ndis-review config check [FILE]
       ndis-review --help | --version

Reviews Windows NDIS driver C sources for NdisMMapIoSpace context and unmap
duties, without a build.

Commands:
  scan [DIR]           scan the C sources under DIR (default: .); DIR may be one C file
  rules                list the rules: id, severity, title, documentation
  explain RULE         print a rule's documentation
  config check [FILE]  check a configuration file (default: .github/ndis-review.yml)

Options for scan:
  --format FORMAT      text (default), json or sarif
  --fail-on LEVEL      exit 1 when a finding is at or above LEVEL: error, warning
                       or never (default: the configuration's conclusion.failOn, else error)
  -o, --output FILE    write the report to FILE instead of standard output
  --sarif FILE         also write SARIF for GitHub code scanning to FILE (never
                       filtered by a baseline; suppressed findings left out)
  --config FILE        the configuration (default: DIR/.github/ndis-review.yml when present)
  --baseline FILE      report only findings not in FILE, an earlier --format json report
  --new-since REV      report only findings not in the merge base of HEAD and REV
  --no-cache           neither read nor write the fact cache
  --stats              print counts and timings as one JSON line on standard error
  --api-counts         with --stats: also count each API's call sites (the evaluation's figure)
  --watch              keep running: re-scan on every save and print only what changed

Environment:
  NDIS_REVIEW_CACHE=off  disable the fact cache
  NDIS_REVIEW_WORKERS=N  parse threads beside the main one (0: one thread; default: by amount of work, none on 2 cores)
  NDIS_REVIEW_BUNDLE=0   run the compiled sources (dist/src) rather than the bundle (dist/cli)
  NO_COLOR               plain text output on a terminal

Exit status:
  0  the report is complete and nothing is at or above --fail-on
  1  a finding at or above --fail-on (even when the report is incomplete)
  2  usage or internal error, unreadable path: no report
  3  the report is written but incomplete (a file skipped, a budget ran out,
     a check switched off by damage); --fail-on never gives 0 or 3
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(parseCommandLine(argv), io);
  } catch (error) {
    reportFailure(error, io);
    return EXIT.trouble;
  }
}

async function run(command: Command, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.stdout(USAGE);
      return EXIT.ok;
    case 'version':
      io.stdout(`${packageVersion()}\n`);
      return EXIT.ok;
    case 'rules':
      return (await import('./cli/rules.js')).listRules(io);
    case 'explain':
      return (await import('./cli/rules.js')).explainRule(command.rule, io);
    case 'config-check':
      return (await import('./cli/config.js')).checkConfig(command.file, io);
    case 'scan':
      // The engine is loaded only here, so --help and --version start without loading the parser.
      if (command.watch) return watchUntilInterrupted(command, io);
      return (await import('./cli/scan.js')).runScan(command, io);
  }
}

/** `scan --watch`: runs until SIGINT or SIGTERM, then exits 0. */
async function watchUntilInterrupted(command: ScanCommand, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await (await import('./cli/watch.js')).runWatch(command, io, { signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportFailure(error: unknown, io: CliIo): void {
  if (error instanceof UsageError) {
    io.stderr(`ndis-review: ${error.message}\nRun 'ndis-review --help' for usage.\n`);
  } else if (error instanceof UserError) {
    io.stderr(`ndis-review: ${error.message}\n`);
  } else {
    // A bug of ours: the stack is what a bug report needs.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`ndis-review: internal error: ${detail}\n`);
  }
}
