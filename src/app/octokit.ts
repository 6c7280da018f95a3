/**
 * The app's Octokit: Probot's own (its retry and throttling plugins, its
 * installation authentication, its GHE base URL), with rate-limit handlers
 * that wait a limit out instead of failing the analysis.
 *
 * Probot's throttling already keys every limiter by installation (writes are
 * spaced 1 s apart per installation, not per process), which is how GitHub
 * counts secondary limits. What it lacks: its `onSecondaryRateLimit` only
 * logs, so a 403 "secondary rate limit" reached the app as an error, and its
 * `onRateLimit` retries whatever the wait (a primary limit can reset an hour
 * later). These handlers retry both a bounded number of times, only when the
 * wait is short enough for an analysis still to answer.
 */
import { ProbotOctokit } from 'probot';

/** Times one request is repeated after a rate limit. */
export const RATE_LIMIT_RETRIES = 2;
/** Longest wait (seconds) for one rate limit; a longer one fails the request, and the run says why. */
export const MAX_RATE_LIMIT_WAIT_S = 60;

interface LimitedRequest {
  method?: string;
  url?: string;
  request?: { retryCount?: number };
}
interface Logger {
  warn: (msg: string) => void;
}

/** Whether to repeat a rate-limited request: pure, for the handlers and their tests. */
export function shouldRetryRateLimit(retryAfterS: number, retryCount: number): boolean {
  return (
    Number.isFinite(retryAfterS) &&
    retryAfterS >= 0 &&
    retryAfterS <= MAX_RATE_LIMIT_WAIT_S &&
    retryCount < RATE_LIMIT_RETRIES
  );
}

function handler(kind: string) {
  return (retryAfter: number, options: LimitedRequest, octokit: { log?: Logger }, retryCount?: number): boolean => {
    const count = retryCount ?? options.request?.retryCount ?? 0;
    const retry = shouldRetryRateLimit(retryAfter, count);
    // Method and route template only: a URL never carries the token, but keep logs to what is needed.
    octokit.log?.warn(
      `${kind} rate limit on ${options.method ?? '?'} ${options.url ?? '?'}: ${retry ? `retrying in ${String(retryAfter)} s` : 'giving up'} (retry ${String(count)})`,
    );
    return retry;
  };
}

/** Throttle handlers merged over whatever Probot configured (keeps `enabled`, `id`, Redis connection). */
export const throttleHandlers = {
  onRateLimit: handler('primary'),
  onSecondaryRateLimit: handler('secondary'),
};

/** Probot's Octokit with the app's rate-limit handlers; pass it to `run(app, { Octokit })` and to `new Probot`. */
export const AppOctokit = ProbotOctokit.defaults(
  (options: { throttle?: Record<string, unknown> } & Record<string, unknown>) => ({
    ...options,
    throttle: { ...options.throttle, ...throttleHandlers },
  }),
);
