/** The command line's own errors: worded for the user, printed as one line without a stack trace. */

/** A mistake of the user's (a path that does not exist, an unreadable file). */
export class UserError extends Error {}

/** A mistake in the command line: also points at --help. */
export class UsageError extends UserError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
