/**
 * Text cut to a size in UTF-8 bytes, the unit GitHub measures check run
 * texts and annotations in ("summary exceeds a maximum bytesize of 65535").
 * Cuts fall between code points, or between whole lines, never inside a
 * surrogate pair. Pure.
 */
import { count, plural } from '../util/words.js';

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function codePointBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** At most `maxBytes` UTF-8 bytes, cut between code points, with `…` when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const room = maxBytes - 3; // `…` is 3 bytes
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const cost = codePointBytes(ch.codePointAt(0) ?? 0);
    if (used + cost > room) break;
    used += cost;
    end += ch.length;
  }
  return `${text.slice(0, end)}…`;
}

/** At most `max` UTF-16 code units, never splitting a surrogate pair, with `…` when cut. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** How many leading rows fit in `budget` bytes (each row plus its newline). */
export function fitRows(rows: readonly string[], budget: number): number {
  let used = 0;
  let n = 0;
  for (const row of rows) {
    const cost = utf8Length(row) + 1;
    if (used + cost > budget) break;
    used += cost;
    n++;
  }
  return n;
}

/** Whole lines up to `limit` bytes, then `marker` (which the limit includes). */
export function fitLines(text: string, limit: number, marker: string): string {
  if (utf8Length(text) <= limit) return text;
  const lines = text.split('\n');
  const n = fitRows(lines, limit - utf8Length(marker));
  return lines.slice(0, n).join('\n') + '\n' + marker;
}

/** Whole lines up to `limit` bytes, then a line saying how many were left out. */
export function joinWithinLimit(lines: readonly string[], limit: number): string {
  const all = lines.join('\n');
  if (utf8Length(all) <= limit) return all;
  const reserve = utf8Length(`… ${count(lines.length)} more lines`) + 1;
  const n = fitRows(lines, limit - reserve);
  const kept = n > 0 ? lines.slice(0, n) : [truncateUtf8(lines[0] ?? '', limit - reserve - 1)];
  const left = lines.length - kept.length;
  return left > 0 ? [...kept, `… ${plural(left, 'more line')}`].join('\n') : kept.join('\n');
}
