/**
 * The jobs this process has acknowledged and not finished, kept in a small
 * file in `NDIS_REVIEW_STATE_DIR`: a job is written here before its
 * webhook is answered, gets its check run's ID once there is one, and is
 * removed when its run is completed (or a newer push made it moot). After a
 * crash or a kill, the next start runs every job left here again: it finds
 * the run a job had (by ID, or by the job's external ID when the create was
 * in flight) and completes it, or creates it. Without a folder, memory only.
 *
 * The file is rewritten whole on each change (it holds only the jobs in
 * hand): a temporary file renamed over the old one, so a crash mid-write
 * leaves the old or the new list, never half of one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './analyze.js';
import { describe } from './calls.js';
import { isRecord } from '../util/json.js';

/** A check run to complete on its own (one whose job cannot run again). */
export interface InflightRun {
  installation: number;
  owner: string;
  repo: string;
  checkRunId: number;
}

/** A job as recorded before its webhook is answered. */
export interface JobRecord {
  /** The job's identity, also its check run's `external_id`. */
  id: string;
  installation: number;
  target: Target;
  /** The user asked for it (re-run, re-requested). */
  force?: boolean;
  /** Its check run, once created. */
  checkRunId?: number;
}

const FILE = 'jobs.json';
/** Where earlier versions listed the check runs in flight (runs only, no jobs). */
const LEGACY_FILE = 'inflight-check-runs.json';

export class JobJournal {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly file: string | undefined;
  /** Jobs a previous process acknowledged and did not finish, to run again. */
  readonly leftBehind: JobRecord[] = [];
  /** Runs an earlier version left in progress, to complete as interrupted. */
  readonly legacyRuns: InflightRun[] = [];
  /** Why the file could not be read or written, for the log (the app goes on without it). */
  problem: string | undefined;
  /** Told each time the file cannot be written (set by the app, to log it). */
  onProblem: ((problem: string) => void) | undefined;

  constructor(dir?: string) {
    this.file = dir ? join(dir, FILE) : undefined;
    if (!dir || !this.file) return;
    try {
      mkdirSync(dir, { recursive: true });
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (Array.isArray(parsed)) this.leftBehind.push(...parsed.filter(isJob));
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') this.problem = `could not read ${this.file}: ${describe(err)}`;
    }
    try {
      const legacy = join(dir, LEGACY_FILE);
      const parsed = JSON.parse(readFileSync(legacy, 'utf8')) as unknown;
      if (Array.isArray(parsed)) this.legacyRuns.push(...parsed.filter(isRun));
      rmSync(legacy, { force: true });
    } catch {
      // No earlier version's list: the usual case.
    }
    // Left-behind jobs stay listed until they finish in this process.
    for (const j of this.leftBehind) this.jobs.set(j.id, j);
    // Written at once: a folder that cannot be written is reported at start, not at the first crash
    // (unless reading already failed: that problem is the one to report).
    if (this.problem === undefined) this.save();
  }

  record(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.save();
  }

  /** The job's check run exists: a restart completes that run rather than make another. */
  attach(id: string, checkRunId: number): void {
    const job = this.jobs.get(id);
    if (!job || job.checkRunId === checkRunId) return;
    job.checkRunId = checkRunId;
    this.save();
  }

  forget(id: string): void {
    if (this.jobs.delete(id)) this.save();
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** The jobs recorded now (tests, diagnostics). */
  list(): JobRecord[] {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }

  private save(): void {
    if (!this.file) return;
    try {
      const tmp = `${this.file}.${String(process.pid)}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.jobs.values()]));
      renameSync(tmp, this.file);
    } catch (err) {
      this.problem = `could not write ${this.file}: ${describe(err)}`;
      this.onProblem?.(this.problem);
    }
  }
}

function isRun(x: unknown): x is InflightRun {
  return (
    isRecord(x) &&
    Number.isSafeInteger(x.installation) &&
    Number.isSafeInteger(x.checkRunId) &&
    typeof x.owner === 'string' &&
    typeof x.repo === 'string'
  );
}

function isJob(x: unknown): x is JobRecord {
  return (
    isRecord(x) &&
    typeof x.id === 'string' &&
    Number.isSafeInteger(x.installation) &&
    isRecord(x.target) &&
    typeof x.target.owner === 'string' &&
    typeof x.target.repo === 'string' &&
    typeof x.target.headSha === 'string' &&
    (x.checkRunId === undefined || Number.isSafeInteger(x.checkRunId))
  );
}
