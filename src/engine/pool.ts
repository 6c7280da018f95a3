/**
 * Parses batches of files with the cores at hand: the calling thread takes
 * jobs from the same queue as the workers, so the work starts at once and
 * the workers join when they have loaded tree-sitter. Below a size where
 * worker start-up would cost more than it saves, the caller parses alone.
 *
 * A scan parses in rounds (the files that mention what the last round
 * found), so one pool serves every round of a scan: a worker loads
 * tree-sitter once, not once a round (five start-ups a scan on a large
 * driver, each taking a core from the parse on a two-core machine).
 */
import { Worker } from 'node:worker_threads';
import { ScanStopped } from './stop.js';
import { keepPrepared, parseBytes, type ParsedEntry, type WorkerAnswer } from './filefacts.js';
import type { MacroTable } from './expand.js';
import { releaseTrees } from './trees.js';
import { defined } from '../util/defined.js';

export interface ParseJob {
  bytes: Uint8Array;
  /** The repository's macros that this file's uses can reach, and their digest. */
  macros?: MacroTable;
  macroDigest?: string;
  done: (facts: ParsedEntry) => void;
  /** The parse of this file failed (in this thread or a worker): the other files go on. */
  fail: (error: Error) => void;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Parses one job in this thread; a failure is that job's. */
function parseHere(job: ParseJob): void {
  let facts: ParsedEntry | undefined;
  try {
    facts = parseBytes(job.bytes, job.macros, job.macroDigest);
  } catch (e) {
    // A stop the host asked for ends the scan, not this file.
    if (e instanceof ScanStopped) throw e;
    job.fail(e instanceof Error ? e : new Error(String(e)));
  }
  if (facts) job.done(facts);
}

/** One worker thread of a pool and the job it is on. */
interface Hand {
  worker: Worker;
  /** Loaded and answering. */
  online: boolean;
  current?: ParseJob;
}

/**
 * Worker threads that parse the jobs of successive batches (`run`) until
 * `close`. A worker that dies takes only its current file with it.
 */
export class ParsePool {
  private readonly hands: Hand[] = [];
  private queue: ParseJob[] = [];
  /** Resolves the batch under way when its queue is empty and no worker holds a job. */
  private settle: (() => void) | undefined;

  constructor(workers: number) {
    const url = new URL('./worker.js', import.meta.url);
    for (let w = 0; w < workers; w++) {
      const hand: Hand = { worker: new Worker(url), online: false };
      this.hands.push(hand);
      const died = (error: Error) => {
        const job = hand.current;
        hand.current = undefined;
        const at = this.hands.indexOf(hand);
        if (at >= 0) this.hands.splice(at, 1);
        job?.fail(error);
        this.check();
      };
      hand.worker.on('message', (m: WorkerAnswer) => {
        const job = hand.current;
        hand.current = undefined;
        if (job) {
          if (m.facts) {
            // The variants the worker read, kept here: a body a rule reads is parsed from them.
            if (m.prepared) keepPrepared(job.bytes, m.prepared);
            job.done(m.facts);
          } else job.fail(new Error(m.error ?? 'parse worker failed'));
        }
        this.feed(hand);
      });
      hand.worker.on('error', died);
      hand.worker.on('exit', (code) => {
        died(new Error(`parse worker exited (${String(code)})`));
      });
      hand.worker.on('online', () => {
        hand.online = true;
        this.feed(hand);
      });
    }
  }

  /** Worker threads alive. */
  get size(): number {
    return this.hands.length;
  }

  /** Parses every job, this thread too unless `callerParses` is false. */
  async run(jobs: ParseJob[], { callerParses = true }: { callerParses?: boolean } = {}): Promise<void> {
    // Largest first: the tail of the queue is short jobs, which balance well.
    this.queue = jobs.slice().sort((a, b) => b.bytes.length - a.bytes.length);
    const settled = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
    for (const hand of this.hands) this.feed(hand);
    // The calling thread works too, yielding between files so workers get fed.
    while (this.queue.length && (callerParses || this.hands.length === 0)) {
      parseHere(defined(this.queue.shift(), 'queued file'));
      // Trees this thread dropped are freed past their bound (a collection and a turn of the loop).
      if (!(await releaseTrees()) && this.hands.length) await yieldToEvents();
    }
    this.check();
    await settled;
    this.settle = undefined;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    const hands = this.hands.splice(0);
    await Promise.all(hands.map((h) => h.worker.terminate()));
  }

  /** Gives an idle, loaded worker the next job. */
  private feed(hand: Hand): void {
    if (!hand.online || hand.current) return;
    const job = this.queue.shift();
    if (!job) {
      this.check();
      return;
    }
    hand.current = job;
    hand.worker.postMessage({
      id: 0,
      bytes: job.bytes,
      macros: job.macros ? [...job.macros.values()] : undefined,
      macroDigest: job.macroDigest,
    });
  }

  /**
   * Ends the batch when nothing is left: with no worker alive (all died, or none loads) this thread
   * takes what is queued.
   */
  private check(): void {
    if (!this.settle) return;
    if (this.hands.some((h) => h.current)) return;
    // Jobs left while workers live: an idle one takes the next when it is loaded.
    if (this.queue.length && this.hands.length) return;
    // Workers that died leave their queue to this thread.
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) parseHere(next);
    this.settle();
    this.settle = undefined;
  }
}

/**
 * Parses every job; returns how many workers helped. With `callerParses`
 * false and workers to do it, the calling thread only hands out jobs (it
 * stays free for other work; tests use it to see what a worker does).
 */
export async function parseBatch(
  jobs: ParseJob[],
  workers: number,
  options: { callerParses?: boolean } = {},
): Promise<number> {
  const pool = new ParsePool(workers > 0 && jobs.length > 1 ? workers : 0);
  const size = pool.size;
  try {
    await pool.run(jobs, options);
  } finally {
    await pool.close();
  }
  return size;
}
