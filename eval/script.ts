/** Running an eval module as a command (`node dist/eval/X.js ...`): its exit code, and any error as one line. */

/**
 * Runs `main` with the command's arguments when the module at `moduleUrl` is the one node was started
 * with (not when a test imports it); an error is printed as `name: message` and exits 2.
 */
export function runAsCommand(moduleUrl: string, name: string, main: (argv: string[]) => number): void {
  if (moduleUrl !== `file://${process.argv[1] ?? ''}`) return;
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e: unknown) {
    process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
