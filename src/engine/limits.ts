/**
 * Limits met while linking and running the rules (a macro expansion past its
 * budget): each becomes a notice on the scan's result. Kept beside the
 * program rather than in it, by program, so that any stage holding the
 * program can record one; said once per place.
 */
import type { Notice } from './types.js';

const byProgram = new WeakMap<object, Map<string, Notice>>();

export function noteLimit(program: object, notice: Notice): void {
  let notes = byProgram.get(program);
  if (!notes) byProgram.set(program, (notes = new Map<string, Notice>()));
  const key = `${notice.kind}|${notice.path ?? ''}|${String(notice.line ?? '')}|${notice.message}`;
  if (!notes.has(key)) notes.set(key, notice);
}

/** The limits recorded for a program, in the order they were met. */
export function limitNotices(program: object): Notice[] {
  return [...(byProgram.get(program)?.values() ?? [])];
}
