/**
 * How eagerly V8 optimizes the engine's functions.
 *
 * The path walk's functions see objects that live for one scan (closures,
 * contexts, the shapes of one tree's nodes). V8's optimizing compiler embeds
 * some of them in the code it makes; when a scan ends and they are
 * collected, that code is thrown away ("weak objects") and the next scan
 * compiles it again. With V8's default tier-up budget a process scanning
 * the 72 drivers of the evaluation corpus again and again spent about a
 * third of its CPU on those recompilations, on background threads, scan
 * after scan: 33–38 s of CPU per round for 22–25 s of wall time. With a
 * budget of 1,000,000 bytecodes only the really hot functions are compiled:
 * 23–25 s of CPU for 20–21 s of wall time (same machine, same rounds). A
 * worker process of the fleet then uses about one core per analysis
 * thread, which is what lets a second process add throughput.
 *
 * V8's flags are per process, so this is set once, before the engine's
 * threads start; a budget given on the command line (`node
 * --interrupt-budget=N`) is left as it is. The app's analysis pool sets it;
 * the CLI does not: a one-shot scan of the 72 drivers took the same wall
 * time either way (25 s, with 4 s less CPU on background threads), and a
 * warm run, too short to leave the interpreter, was slower with it (185
 * against 176 ms a run on wdk6001-rtlnwifi, 15 runs each, twice).
 */
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET = 1_000_000;

let applied = false;

/** The V8 flag to set, or undefined when the process was started with its own. */
export function jitFlag(execArgv: readonly string[]): string | undefined {
  const own = execArgv.some((a) => /^--interrupt[-_]budget(?:=|$)/.test(a));
  return own ? undefined : `--interrupt-budget=${String(INTERRUPT_BUDGET)}`;
}

/** Sets the budget for this process (once; later calls do nothing). */
export function tuneJit(execArgv: readonly string[] = process.execArgv): void {
  if (applied) return;
  applied = true;
  const flag = jitFlag(execArgv);
  if (flag) setFlagsFromString(flag);
}
