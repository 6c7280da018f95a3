/**
 * Check runs this process has created and not yet completed, kept in a small
 * file (`NDIS_REVIEW_STATE_DIR`), so that after a crash or a kill the next
 * start completes them with an explanation instead of leaving them in
 * progress for ever. Without a directory it only keeps them in memory.
 *
 * The file is rewritten whole on each change (it holds only the runs in
 * flight, a few at a time): a temporary file renamed over the old one, so a
 * crash mid-write leaves the old or the new list, never half of one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from './calls.js';

export interface InflightRun {
  installation: number;
  owner: string;
  repo: string;
  checkRunId: number;
}

export class InflightRuns {
  private readonly runs = new Map<number, InflightRun>();
  private readonly file: string | undefined;
  /** What the file held when this process started: runs a previous process left behind. */
  readonly leftBehind: InflightRun[];
  /** Why the file could not be read or written, for the log (the app goes on without it). */
  problem: string | undefined;
  /** Told each time the file cannot be written (set by the app, to log it). */
  onProblem: ((problem: string) => void) | undefined;

  constructor(dir?: string) {
    this.file = dir ? join(dir, 'inflight-check-runs.json') : undefined;
    this.leftBehind = [];
    if (!this.file || !dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (Array.isArray(parsed)) this.leftBehind.push(...parsed.filter(isRun));
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') this.problem = `could not read ${this.file}: ${describe(err)}`;
    }
    // The left-behind runs stay listed until they are completed.
    for (const r of this.leftBehind) this.runs.set(r.checkRunId, r);
    // Written at once: a folder that cannot be written is reported at start, not at the first crash
    // (unless reading already failed: that problem is the one to report).
    if (this.problem === undefined) this.save();
  }

  add(run: InflightRun): void {
    this.runs.set(run.checkRunId, run);
    this.save();
  }

  remove(checkRunId: number): void {
    if (this.runs.delete(checkRunId)) this.save();
  }

  get size(): number {
    return this.runs.size;
  }

  private save(): void {
    if (!this.file) return;
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.runs.values()]));
      renameSync(tmp, this.file);
    } catch (err) {
      this.problem = `could not write ${this.file}: ${describe(err)}`;
      this.onProblem?.(this.problem);
    }
  }
}

function isRun(x: unknown): x is InflightRun {
  const r = x as InflightRun;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.installation) &&
    Number.isSafeInteger(r.checkRunId) &&
    typeof r.owner === 'string' &&
    typeof r.repo === 'string'
  );
}
