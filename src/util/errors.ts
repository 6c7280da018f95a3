/** The first line of an error's message (or of the value thrown), for logs and notices. */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : (err as { message?: unknown } | null)?.message;
  return String(message ?? err).split('\n')[0];
}

/**
 * Why a signal was aborted, as an Error: its reason as is when it is one
 * (abort() with no argument gives a DOMException, an Error; the app passes
 * only Errors), otherwise an Error carrying the reason as its cause.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}
