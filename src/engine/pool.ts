/**
 * A small pool of parse workers. Started early (while the main thread
 * lexes) so tree-sitter is loaded by the time parse jobs arrive.
 */
import { Worker } from 'node:worker_threads';
import type { ParsedEntry } from './filefacts.js';
import type { LexFacts } from './lexfacts.js';

interface Job { id: number; bytes: Uint8Array; lex: LexFacts; resolve: (f: ParsedEntry) => void; reject: (e: Error) => void }

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Job>();
  private nextId = 0;

  constructor(size: number) {
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      const w = new Worker(url);
      w.on('message', (m: { id: number; facts?: ParsedEntry; error?: string }) => {
        const job = this.running.get(m.id);
        this.running.delete(m.id);
        this.idle.push(w);
        if (job) {
          if (m.facts) job.resolve(m.facts);
          else job.reject(new Error(m.error ?? 'parse worker failed'));
        }
        this.pump();
      });
      w.on('error', (e) => {
        for (const [id, job] of this.running) { job.reject(e); this.running.delete(id); }
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  parse(bytes: Uint8Array, lex: LexFacts): Promise<ParsedEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, lex, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(job.id, job);
      w.postMessage({ id: job.id, bytes: job.bytes, lex: job.lex });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
