/**
 * Analyses run in a persistent pool of worker threads (piscina), never on
 * the thread that answers webhooks: whatever a pull request holds (a macro
 * bomb, a file that sends the parser into minutes of work), `/ping` and
 * every other repository keep being served.
 *
 * Each analysis has a time limit and each thread a heap cap. A scan that
 * runs out of either is stopped (the thread is ended and a fresh one takes
 * its place) and the analysis fails with `AnalysisLimitExceeded`, which the
 * check run reports as a non-passing result. Time spent waiting for a free
 * thread does not count: tasks are handed to piscina only when a thread is
 * free, so a task's clock starts when it starts.
 *
 * The heap cap does not see tree-sitter's trees (C memory): the engine frees
 * the trees it dropped past a bound of its own (src/engine/trees.ts), so a
 * thread that runs analysis after analysis does not grow by every tree it
 * parsed. The thread's fact cache is sized to leave most of the cap to the
 * analyses.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { tuneJit } from '../util/jit.js';
import type { ScanOutcome, ScanTask } from './scan-worker.js';

/** Defaults: NDIS_REVIEW_ANALYSIS_TIMEOUT_S, NDIS_REVIEW_ANALYSIS_MEMORY_MB. */
export const DEFAULT_TIME_LIMIT_MS = 120_000;
export const DEFAULT_MEMORY_MB = 1024;
/** A scan asked to stop has this long to reach a safe point before its thread is ended. */
export const DEFAULT_STOP_GRACE_MS = 1000;
/** NDIS_REVIEW_ANALYSIS_NICE. */
export const DEFAULT_NICE_INCREMENT = 10;

export class AnalysisLimitExceeded extends Error {
  constructor(
    readonly kind: 'time' | 'memory',
    readonly limit: number,
  ) {
    super(
      kind === 'time'
        ? `the analysis took longer than its ${String(Math.round(limit / 1000))} s limit`
        : `the analysis needed more than its ${String(limit)} MiB memory limit`,
    );
    this.name = 'AnalysisLimitExceeded';
  }
}

export interface PoolOptions {
  /** Analysis threads (default: one fewer than the cores, at least one). */
  threads?: number;
  /** How long a scan asked to stop may take to stop before its thread is ended (ms; default 1,000). */
  stopGraceMs?: number;
  /** Time one analysis may use across its scans (ms). */
  timeLimitMs?: number;
  /** Heap cap of each analysis thread (MiB). */
  memoryMb?: number;
  /**
   * Bytes of facts each thread keeps between analyses, as `factBytes` counts
   * them (serialized); in the heap they weigh about 4 to 5 times that. Default:
   * a sixteenth of the heap cap, so a warm cache takes about a third of it.
   */
  factCacheBytes?: number;
  /**
   * Added to each analysis thread's nice value (Linux schedules threads one
   * by one): on a busy machine the threads that answer webhooks, renew job
   * locks and talk to GitHub run first, and an idle core still goes to the
   * analysis. Default 10; 0 leaves the threads as they are.
   */
  niceIncrement?: number;
  /** The thread's module (tests give one that misbehaves on purpose); default `scan-worker.js`. */
  workerFile?: URL;
}

/** The time an analysis has left: its scans (head, base) draw on it in turn. */
export interface AnalysisClock {
  remainingMs: number;
}

export class AnalysisPool {
  private readonly piscina: Piscina<ScanTask, ScanOutcome>;
  readonly threads: number;
  readonly timeLimitMs: number;
  readonly memoryMb: number;
  readonly factCacheBytes: number;
  readonly niceIncrement: number;
  /** How long a scan asked to stop has before its thread is ended. */
  readonly stopGraceMs: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: PoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? Math.max(1, availableParallelism() - 1)));
    this.timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    this.memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
    // The engine's default (256 MiB serialized) would fill a 1 GiB heap on its own.
    this.factCacheBytes = options.factCacheBytes ?? Math.floor((this.memoryMb * 1024 * 1024) / 16);
    this.niceIncrement = Math.max(0, Math.min(19, Math.floor(options.niceIncrement ?? DEFAULT_NICE_INCREMENT)));
    this.stopGraceMs = Math.max(0, options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    // Before the threads start: their engines are compiled under it (see util/jit.ts).
    tuneJit();
    this.piscina = new Piscina<ScanTask, ScanOutcome>({
      filename: (options.workerFile ?? new URL('./scan-worker.js', import.meta.url)).href,
      // Started now and kept: a thread loads tree-sitter once, and its fact cache stays warm.
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
      workerData: { factCacheBytes: this.factCacheBytes },
      niceIncrement: this.niceIncrement,
    });
  }

  /** A fresh clock for one analysis. */
  clock(): AnalysisClock {
    return { remainingMs: this.timeLimitMs };
  }

  /** Scans in a pool thread; rejects with `AnalysisLimitExceeded`, or with `signal`'s reason when the job is stopped. */
  async scan(task: ScanTask, clock: AnalysisClock, signal?: AbortSignal): Promise<ScanOutcome> {
    if (clock.remainingMs <= 0) throw new AnalysisLimitExceeded('time', this.timeLimitMs);
    await this.slot(signal);
    const started = performance.now();
    const stop = new AbortController();
    // Asked first, ended later: ending a thread while tree-sitter calls back into it aborts the
    // process (src/engine/stop.ts), so the scan is asked to stop at a safe point, and its thread is
    // ended only if it has not stopped after a grace period (a spin no check point reaches).
    const asked = new Int32Array(new SharedArrayBuffer(4));
    let grace: NodeJS.Timeout | undefined;
    const end = () => {
      Atomics.store(asked, 0, 1);
      grace ??= setTimeout(() => {
        stop.abort();
      }, this.stopGraceMs);
    };
    let why: 'time' | 'job' | undefined;
    const timer = setTimeout(() => {
      why = 'time';
      end();
    }, clock.remainingMs);
    const onJobAbort = () => {
      why ??= 'job';
      end();
    };
    signal?.addEventListener('abort', onJobAbort, { once: true });
    try {
      return await this.piscina.run({ ...task, stop: asked }, { signal: stop.signal });
    } catch (err) {
      if (why === 'time') throw new AnalysisLimitExceeded('time', this.timeLimitMs);
      if (why === 'job') throw signal?.reason ?? err;
      if ((err as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw new AnalysisLimitExceeded('memory', this.memoryMb);
      throw err;
    } finally {
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onJobAbort);
      clock.remainingMs -= performance.now() - started;
      this.release();
    }
  }

  /** Scans waiting for a thread, and running. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }

  private async slot(signal?: AbortSignal): Promise<void> {
    if (this.running < this.threads) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason as Error);
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
    // The slot was handed over by release(): `running` already counts it.
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** The pool as the environment asks for it (see docs/operations.md). */
export function poolFromEnv(env: NodeJS.ProcessEnv): AnalysisPool {
  const num = (v: string | undefined, min: number): number | undefined => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n >= min ? n : undefined;
  };
  const seconds = num(env.NDIS_REVIEW_ANALYSIS_TIMEOUT_S, 0.001);
  const threads = num(env.NDIS_REVIEW_ANALYSIS_THREADS, 1);
  const memoryMb = num(env.NDIS_REVIEW_ANALYSIS_MEMORY_MB, 16);
  const factMb = num(env.NDIS_REVIEW_FACT_CACHE_MB, 1);
  const nice = num(env.NDIS_REVIEW_ANALYSIS_NICE, 0);
  return new AnalysisPool({
    ...(threads !== undefined ? { threads } : {}),
    ...(seconds !== undefined ? { timeLimitMs: seconds * 1000 } : {}),
    ...(memoryMb !== undefined ? { memoryMb } : {}),
    ...(factMb !== undefined ? { factCacheBytes: factMb * 1024 * 1024 } : {}),
    ...(nice !== undefined ? { niceIncrement: nice } : {}),
  });
}
