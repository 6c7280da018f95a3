/**
 * Analysis jobs, detached from webhook handlers: Probot answers a webhook
 * only after its handlers finish, and GitHub gives up after 10 s, so a
 * handler only enqueues. Two deliveries for the same head SHA make one job;
 * a newer push to the same pull request supersedes an older job (it is
 * dropped if not started, and told to stop if running); jobs of one
 * installation run one at a time, as GitHub's secondary rate limits apply
 * per installation, while installations proceed side by side.
 */

export interface JobSpec {
  /** Installation the job acts for (its queue). */
  installation: number;
  /** Identity of the result: two jobs with one key are the same work. */
  key: string;
  /** Jobs with one group supersede each other (e.g. a pull request): the newest wins. */
  group?: string;
  run: (signal: AbortSignal) => Promise<void>;
}

interface Entry { spec: JobSpec; controller: AbortController }

export class JobQueue {
  private readonly queues = new Map<number, Entry[]>();
  private readonly running = new Map<number, Entry>();
  private readonly keys = new Set<string>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly onError: (spec: JobSpec, err: unknown) => void = () => {}) {}

  /** Adds a job unless the same work is queued or running; returns whether it was added. */
  enqueue(spec: JobSpec): boolean {
    if (this.keys.has(spec.key)) return false;
    const q = this.queues.get(spec.installation) ?? [];
    if (spec.group) {
      // A newer job of the group replaces a waiting one and stops a running one.
      for (let i = q.length - 1; i >= 0; i--) {
        if (q[i].spec.group === spec.group) { this.keys.delete(q[i].spec.key); q.splice(i, 1); }
      }
      const current = this.running.get(spec.installation);
      if (current && current.spec.group === spec.group) current.controller.abort();
    }
    q.push({ spec, controller: new AbortController() });
    this.keys.add(spec.key);
    this.queues.set(spec.installation, q);
    this.pump(spec.installation);
    return true;
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

  private isIdle(): boolean {
    return this.pending === 0;
  }

  private pump(installation: number): void {
    if (this.running.has(installation)) return;
    const q = this.queues.get(installation);
    const entry = q?.shift();
    if (!entry) {
      this.queues.delete(installation);
      if (this.isIdle()) this.idleWaiters.splice(0).forEach((r) => r());
      return;
    }
    this.running.set(installation, entry);
    void (async () => {
      try {
        await entry.spec.run(entry.controller.signal);
      } catch (err) {
        this.onError(entry.spec, err);
      } finally {
        this.running.delete(installation);
        this.keys.delete(entry.spec.key);
        this.pump(installation);
      }
    })();
  }
}
