/** What the command line reads and writes, passed in so tests drive it like a function. */

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard output is a terminal: text reports are coloured (unless NO_COLOR is set). */
  isTTY?: boolean;
}

/** Exit statuses, as the README's table documents them. */
export const EXIT = {
  /** The report is complete and nothing is at or above --fail-on. */
  ok: 0,
  /** A finding at or above --fail-on; wins over incomplete. */
  findings: 1,
  /** Usage or internal error: no report. */
  trouble: 2,
  /** The report is written, but the analysis withheld a decision somewhere. */
  incomplete: 3,
} as const;
