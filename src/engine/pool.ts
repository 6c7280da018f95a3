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

export interface ParseJob {
  bytes: Uint8Array;
  lex: LexFacts;
  /** The repository's macros that this file's uses can reach, and their digest. */
  macros?: MacroTable;
  macroDigest?: string;
  done: (facts: ParsedEntry) => void;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Parses every job; returns how many workers helped. */
export async function parseBatch(jobs: ParseJob[], workers: number): Promise<number> {
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
        new Promise<void>((resolve, reject) => {
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
          worker.on('message', (m: { facts?: ParsedEntry; error?: string }) => {
            if (!current) return;
            if (m.facts) current.done(m.facts);
            else {
              reject(new Error(m.error ?? 'parse worker failed'));
              return;
            }
            next();
          });
          worker.on('error', reject);
          worker.on('online', next);
        }),
      );
    }
  }
  try {
    // The calling thread works too, yielding between files so workers get fed.
    while (queue.length) {
      const job = queue.shift()!;
      job.done(parseBytes(job.bytes, job.lex, job.macros, job.macroDigest));
      if (pool.length) await yieldToEvents();
    }
    await Promise.all(finished);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return pool.length;
}
