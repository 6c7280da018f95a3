/** The first line of an error's message (or of the value thrown), for logs and notices. */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : (err as { message?: unknown } | null)?.message;
  return String(message ?? err).split('\n')[0];
}
