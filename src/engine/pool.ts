/**
 * Parses a batch of files with the cores at hand: the calling thread takes
 * jobs from the same queue as the workers, so the work starts at once and
 * the workers join when they have loaded tree-sitter. Below a size where
 * worker start-up would cost more than it saves, the caller parses alone.
 */
import { Worker } from 'node:worker_threads';
import { parseBytes, type ParsedEntry } from './filefacts.js';
import type { MacroTable } from './expand.js';
import type { LexFacts } from './lexfacts.js';
import { releaseTrees } from './trees.js';
import { defined } from '../util/defined.js';

export interface ParseJob {
  bytes: Uint8Array;
  lex: LexFacts;
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
    facts = parseBytes(job.bytes, job.lex, job.macros, job.macroDigest);
  } catch (e) {
    job.fail(e instanceof Error ? e : new Error(String(e)));
  }
  if (facts) job.done(facts);
}

/**
 * Parses every job; returns how many workers helped. With `callerParses`
 * false and workers to do it, the calling thread only hands out jobs (it
 * stays free for other work; tests use it to see what a worker does).
 */
export async function parseBatch(
  jobs: ParseJob[],
  workers: number,
  { callerParses = true }: { callerParses?: boolean } = {},
): Promise<number> {
  // Largest first: the tail of the queue is short jobs, which balance well.
  const queue = jobs.slice().sort((a, b) => b.bytes.length - a.bytes.length);
  const pool: Worker[] = [];
  const finished: Promise<void>[] = [];
  if (workers > 0 && queue.length > 1) {
    const url = new URL('./worker.js', import.meta.url);
    for (let w = 0; w < workers; w++) {
      const worker = new Worker(url);
      pool.push(worker);
      finished.push(
        new Promise<void>((resolve) => {
          let current: ParseJob | undefined;
          const next = () => {
            current = queue.shift();
            if (!current) {
              resolve();
              return;
            }
            worker.postMessage({
              id: 0,
              bytes: current.bytes,
              lex: current.lex,
              macros: current.macros ? [...current.macros.values()] : undefined,
              macroDigest: current.macroDigest,
            });
          };
          // A worker that dies takes only its current file with it; the queue goes on elsewhere.
          const died = (error: Error) => {
            const job = current;
            current = undefined;
            job?.fail(error);
            resolve();
          };
          worker.on('message', (m: { facts?: ParsedEntry; error?: string }) => {
            const job = current;
            if (!job) return;
            if (m.facts) job.done(m.facts);
            else job.fail(new Error(m.error ?? 'parse worker failed'));
            next();
          });
          worker.on('error', died);
          worker.on('exit', (code) => {
            died(new Error(`parse worker exited (${String(code)})`));
          });
          worker.on('online', next);
        }),
      );
    }
  }
  try {
    // The calling thread works too, yielding between files so workers get fed.
    while (queue.length && (callerParses || pool.length === 0)) {
      parseHere(defined(queue.shift(), 'queued file'));
      // Trees this thread dropped are freed past their bound (a collection and a turn of the loop).
      if (!(await releaseTrees()) && pool.length) await yieldToEvents();
    }
    await Promise.all(finished);
    // Workers that died leave their queue to this thread.
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      parseHere(next);
      await releaseTrees();
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return pool.length;
}
