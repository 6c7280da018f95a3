/**
 * The analysis's view of the GitHub API: every request counted, none allowed
 * to outlive the analysis's budget or a stopped job, and errors described
 * for a check run without headers or tokens.
 */
import { abortReason, firstLine } from '../util/errors.js';
import type { Request } from './source.js';

/** Longest wait for one check run write: longer than the rate-limit handlers' 2 × 60 s, so a limit can be waited out. */
export const CHECK_RUN_REQUEST_MS = 150_000;

export class BudgetExceeded extends Error {
  constructor(ms: number) {
    super(`the analysis took longer than its ${String(Math.round(ms / 1000))} s budget`);
    this.name = 'BudgetExceeded';
  }
}

export interface BoundedRequest {
  call: Request;
  /** Requests made so far. */
  count: () => number;
}

/**
 * A fetch for Octokit's `request.fetch` that tells when the request really
 * goes out. Octokit's throttling holds writes in its limiter (1 s apart per
 * installation) before they reach fetch: a deadline must count from here,
 * or a burst of writes times out while still queued in the app.
 */
function departing(inner: unknown, onLeave: () => void): typeof fetch {
  const next = typeof inner === 'function' ? (inner as typeof fetch) : undefined;
  return (input, init) => {
    onLeave();
    return (next ?? globalThis.fetch)(input, init);
  };
}

/**
 * Wraps `request` (Octokit's, whose plugins handle retries and rate limits)
 * so each call carries a deadline: the rest of the budget, or for check run
 * writes a fixed one counted from when the write leaves the rate limiter
 * (creating and completing the run are always allowed, so it can say what
 * happened). Reads are dropped at once when `signal` (the job's) aborts;
 * check run writes still go out.
 */
export function boundedRequest(
  request: Request,
  signal: AbortSignal,
  deadline: number,
  budgetMs: number,
  writeMs = CHECK_RUN_REQUEST_MS,
): BoundedRequest {
  let requests = 0;
  const call: Request = async (route, params) => {
    const checkRun = route.includes('/check-runs');
    if (Date.now() > deadline && !checkRun) throw new BudgetExceeded(budgetMs);
    requests++;
    const options = (params.request ?? {}) as Record<string, unknown>;
    // Aborted without a reason, so fetch fails with an AbortError, which Octokit's retry plugin does not
    // retry (any other error becomes a retried HTTP 500); the reason is thrown here instead.
    const abort = new AbortController();
    let why: unknown;
    const stop = (reason: unknown) => {
      why ??= reason;
      abort.abort();
    };
    // A timer of our own (AbortSignal.timeout's is unref'd and would not keep a job alive).
    // A read's deadline is the budget's end: reaching it is the budget running out, whatever the clock's rounding.
    const arm = (ms: number, reason: () => unknown) =>
      setTimeout(() => {
        stop(reason());
      }, ms);
    let timer: NodeJS.Timeout | undefined = checkRun
      ? undefined
      : arm(Math.max(1, deadline - Date.now()), () => new BudgetExceeded(budgetMs));
    const onLeave = () => {
      // A write's clock starts when it leaves the limiter (once: retries keep counting from there).
      timer ??= arm(writeMs, () => new Error(`no answer from GitHub within ${String(Math.round(writeMs / 1000))} s`));
    };
    const onJobAbort = () => {
      stop(signal.reason);
    };
    let settle: ((reason: unknown) => void) | undefined;
    // A read dropped by the job's abort may still wait in the limiter: the caller is answered at once.
    const dropped = new Promise<never>((_, reject) => {
      settle = reject;
    });
    const onJobAbortNow = () => {
      onJobAbort();
      settle?.(signal.reason);
    };
    if (!checkRun) {
      if (signal.aborted) onJobAbortNow();
      else signal.addEventListener('abort', onJobAbortNow, { once: true });
    }
    const release = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onJobAbortNow);
    };
    try {
      const sent = request(route, {
        ...params,
        request: { ...options, signal: abort.signal, fetch: departing(options.fetch, onLeave) },
      });
      const res = await (checkRun ? sent : Promise.race([sent, dropped]));
      // A streamed body (the tarball) is read after this returns: the deadline and the job's abort stay
      // on it, and the open download, not the timer, keeps the process busy.
      if (options.parseSuccessResponseBody === false) timer?.unref();
      else release();
      return res;
    } catch (err) {
      release();
      if (!checkRun && Date.now() >= deadline) throw new BudgetExceeded(budgetMs);
      throw abort.signal.aborted && why !== undefined ? why : err;
    }
  };
  return { call, count: () => requests };
}

/**
 * Waits for work that does not go through `boundedRequest` (Probot's config
 * loader) no longer than the budget, and not past the job's abort.
 */
export function withinBudget<T>(work: Promise<T>, signal: AbortSignal, deadline: number, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        reject(new BudgetExceeded(budgetMs));
      },
      Math.max(0, deadline - Date.now()),
    );
    onAbort = () => {
      reject(abortReason(signal));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, limit]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}

/** Whether an error (or what caused it) is the budget running out. */
export function outOfTime(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BudgetExceeded) return true;
  }
  return false;
}

/**
 * An error for a check run, a notice or a log line: the HTTP status and the
 * message's first line only, never headers, bodies or tokens.
 */
export function describe(err: unknown): string {
  const msg = firstLine(err).slice(0, 300);
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? `GitHub answered HTTP ${String(status)} (${msg})` : msg;
}

/**
 * A request with a deadline of its own, for the few made outside an
 * analysis (runs left behind), counted from when it leaves the rate
 * limiter. Aborted without a reason, so Octokit's retry plugin does not
 * retry it.
 */
export async function requestWithin(
  request: Request,
  ms: number,
  route: string,
  params: Record<string, unknown>,
): Promise<{ data: unknown }> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const options = (params.request ?? {}) as Record<string, unknown>;
  const onLeave = () => {
    timer ??= setTimeout(() => {
      abort.abort();
    }, ms);
  };
  try {
    return await request(route, {
      ...params,
      request: { ...options, signal: abort.signal, fetch: departing(options.fetch, onLeave) },
    });
  } catch (err) {
    if (abort.signal.aborted)
      throw new Error(`no answer from GitHub within ${String(Math.round(ms / 1000))} s`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
