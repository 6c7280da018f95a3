/**
 * Analysis jobs, detached from webhook handlers: Probot answers a webhook
 * only after its handlers finish, and GitHub gives up after 10 s, so a
 * handler only enqueues. Two deliveries for the same head SHA make one job;
 * a newer push to the same pull request supersedes an older job (it is
 * dropped if not started, and told to stop if running); jobs of one
 * installation run one at a time, as GitHub's secondary rate limits apply
 * per installation, while installations proceed side by side.
 *
 * A key stays "done" for a while after its job finished: GitHub sends
 * `pull_request.synchronize` and `check_suite.requested` for the same push,
 * and redelivers webhooks, and an analysis often finishes between two of
 * them. Only an explicit request (re-run, re-requested) repeats it.
 */

import { LRUCache } from 'lru-cache';

/** The abort reason of jobs stopped because the app is shutting down (not superseded by a newer push). */
export class ShutdownReason extends Error {
  constructor() {
    super('the app is shutting down');
    this.name = 'ShutdownReason';
  }
}

export interface JobSpec {
  /** Installation the job acts for (its queue). */
  installation: number;
  /** Identity of the result: two jobs with one key are the same work. */
  key: string;
  /** Jobs with one group supersede each other (e.g. a pull request): the newest wins. */
  group?: string;
  /** Run even if the same key finished recently (the user asked for a re-run). */
  force?: boolean;
  /** Called once when the job has to wait behind another job of its installation. */
  onWaiting?: () => void;
  /**
   * Called when a waiting job is dropped, for a newer one of its group or
   * because the app is stopping; it never runs. A returned promise is waited
   * for at shutdown.
   */
  onDropped?: (reason: 'superseded' | 'shutdown') => unknown;
  run: (signal: AbortSignal) => Promise<void>;
}

export interface JobQueueOptions {
  /** How long a finished key keeps a new delivery of the same work from running again. */
  doneForMs?: number;
  now?: () => number;
}

interface Entry {
  spec: JobSpec;
  controller: AbortController;
}

export class JobQueue {
  private readonly queues = new Map<number, Entry[]>();
  private readonly running = new Map<number, Entry>();
  private readonly keys = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  /** Finished keys, forgotten after `doneForMs` (and past 50,000, the oldest first). */
  private readonly done: LRUCache<string, true>;

  constructor(
    private readonly onError: (spec: JobSpec, err: unknown) => void = () => {
      // by default a failed job's error is dropped: its key may run again
    },
    options: JobQueueOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.done = new LRUCache<string, true>({
      max: 50_000,
      ttl: options.doneForMs ?? 10 * 60_000,
      perf: { now },
      // Whole milliseconds of a test's clock, not performance.now()'s cached reading.
      ttlResolution: 0,
    });
  }

  private closing = false;

  /** Adds a job unless the same work is queued, running or (unless forced) recently done; returns whether it was added. */
  enqueue(spec: JobSpec): boolean {
    if (this.closing || this.keys.has(spec.key)) return false;
    if (this.done.has(spec.key) && !spec.force) return false;
    const q = this.queues.get(spec.installation) ?? [];
    if (spec.group) {
      // A newer job of the group replaces a waiting one and stops a running one.
      for (let i = q.length - 1; i >= 0; i--) {
        if (q[i].spec.group === spec.group) {
          const [dropped] = q.splice(i, 1);
          this.keys.delete(dropped.spec.key);
          void dropped.spec.onDropped?.('superseded');
        }
      }
      const current = this.running.get(spec.installation);
      if (current?.spec.group === spec.group) current.controller.abort();
    }
    const entry = { spec, controller: new AbortController() };
    q.push(entry);
    this.keys.add(spec.key);
    this.queues.set(spec.installation, q);
    this.pump(spec.installation);
    if (this.running.get(spec.installation) !== entry) spec.onWaiting?.();
    return true;
  }

  /**
   * Graceful shutdown: takes no new jobs, lets the work in hand finish for up
   * to `graceMs`, then aborts what is left with a `ShutdownReason`. Jobs not
   * started yet then run with that aborted signal, so each can still say on
   * GitHub that it was not done, rather than vanish; `windUpMs` bounds that.
   * Resolves with the number of jobs that were stopped.
   */
  async shutdown(graceMs: number, windUpMs = 15_000): Promise<number> {
    this.closing = true;
    if (await this.idleWithin(graceMs)) return 0;
    let stopped = 0;
    const reason = new ShutdownReason();
    // Waiting jobs that can say so themselves (their queued run) are dropped at once, not run one by one.
    const told: Promise<unknown>[] = [];
    for (const [installation, q] of this.queues) {
      const kept = q.filter((entry) => {
        if (!entry.spec.onDropped) return true;
        this.keys.delete(entry.spec.key);
        told.push(Promise.resolve(entry.spec.onDropped('shutdown')));
        stopped++;
        return false;
      });
      this.queues.set(installation, kept);
    }
    for (const entry of [...this.running.values(), ...[...this.queues.values()].flat()]) {
      entry.controller.abort(reason);
      stopped++;
    }
    const windUp = Promise.all([this.idle(), Promise.allSettled(told)]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      windUp,
      new Promise((r) => {
        timer = setTimeout(r, windUpMs);
      }),
    ]);
    clearTimeout(timer);
    return stopped;
  }

  private async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => {
      timer = setTimeout(() => {
        r(false);
      }, ms);
    });
    const idle = await Promise.race([this.idle().then(() => true as const), timedOut]);
    clearTimeout(timer);
    return idle;
  }

  /** Resolves when no job is queued or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get pending(): number {
    let n = this.running.size;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private remember(key: string): void {
    this.done.set(key, true);
  }

  private isIdle(): boolean {
    return this.pending === 0;
  }

  private pump(installation: number): void {
    if (this.running.has(installation)) return;
    const q = this.queues.get(installation);
    const entry = q?.shift();
    if (!entry) {
      this.queues.delete(installation);
      if (this.isIdle())
        this.idleWaiters.splice(0).forEach((r) => {
          r();
        });
      return;
    }
    this.running.set(installation, entry);
    void (async () => {
      let produced = false;
      try {
        await entry.spec.run(entry.controller.signal);
        // A superseded job did not produce the result: its key may run again.
        produced = !entry.controller.signal.aborted;
      } catch (err) {
        this.onError(entry.spec, err);
      } finally {
        this.running.delete(installation);
        this.keys.delete(entry.spec.key);
        if (produced) this.remember(entry.spec.key);
        this.pump(installation);
      }
    })();
  }
}
