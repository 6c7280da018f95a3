/**
 * Fixes as text: applying a finding's edits to a file, and the lines a
 * GitHub suggested change replaces. Edits use the engine's positions:
 * 1-based lines and columns counted in UTF-16 code units of the decoded
 * line, the end exclusive, lines ending at `\n` (a `\r` before it belongs
 * to no column).
 */
import { decodeSource } from '../engine/text.js';
import type { Finding, TextEdit } from '../engine/types.js';

/** The offset in `text` of a 1-based line and column; past the end of a line clamps to its end. */
function offsetOf(starts: readonly number[], text: string, line: number, column: number): number {
  // Past the last line: the end of the text (an edit that takes the final line end with it).
  if (line > starts.length) return text.length;
  const index = Math.min(Math.max(line, 1), starts.length) - 1;
  const start = starts[index];
  const next = index + 1 < starts.length ? starts[index + 1] - 1 : text.length;
  const end = next > start && text[next - 1] === '\r' ? next - 1 : next;
  return Math.min(start + Math.max(column, 1) - 1, end);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * `text` with the edits applied (edits of other files are ignored).
 * Overlapping edits are a bug in the fix: an error, not a guess.
 */
export function applyEdits(text: string, edits: readonly TextEdit[], path?: string): string {
  const starts = lineStartsOf(text);
  const ranges = edits
    .filter((e) => path === undefined || e.path === path)
    .map((e) => ({
      from: offsetOf(starts, text, e.startLine, e.startColumn),
      to: offsetOf(starts, text, e.endLine, e.endColumn),
      text: e.text,
    }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].from < ranges[i - 1].to) throw new Error('the edits of a fix overlap');
  }
  let out = text;
  for (const r of ranges.reverse()) out = out.slice(0, r.from) + r.text + out.slice(Math.max(r.from, r.to));
  return out;
}

/** Lines an edit touches: an edit that ends at column 1 of a later line stops on the line before. */
function touchedLines(e: TextEdit): [number, number] {
  const last = e.endColumn <= 1 && e.endLine > e.startLine ? e.endLine - 1 : e.endLine;
  return [e.startLine, Math.max(e.startLine, last)];
}

export interface Suggestion {
  /** First and last line (1-based, inclusive) of the new file the suggestion replaces. */
  startLine: number;
  endLine: number;
  /** What those lines become, without a final line end. */
  text: string;
}

/**
 * The suggested change for a finding's fix: the lines from the finding's
 * line through every edited line, rewritten. Undefined when there is no fix,
 * when it edits another file, or when a line it covers is not in the diff
 * (`commentable`: lines a review comment may cover), since GitHub accepts a
 * suggestion only on lines of the pull request's diff.
 */
export function suggestionFor(
  finding: Finding,
  source: string,
  commentable: ReadonlySet<number>,
): Suggestion | undefined {
  const edits = finding.fix?.edits ?? [];
  if (edits.length === 0 || edits.some((e) => e.path !== finding.path)) return undefined;
  let first = finding.line;
  let last = finding.line;
  for (const e of edits) {
    const [a, b] = touchedLines(e);
    first = Math.min(first, a);
    last = Math.max(last, b);
  }
  for (let n = first; n <= last; n++) if (!commentable.has(n)) return undefined;
  const lines = source.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (last > lines.length) return undefined;
  // The block alone, with the edits moved to its own line numbers.
  const block = lines.slice(first - 1, last).join('\n');
  const shifted = edits.map((e) => ({ ...e, startLine: e.startLine - first + 1, endLine: e.endLine - first + 1 }));
  const text = applyEdits(block, shifted);
  return { startLine: first, endLine: last, text: text.endsWith('\n') ? text.slice(0, -1) : text };
}

/**
 * The decoded text of the files a review may suggest changes in (say, the
 * pull request's files), decoded as the engine decodes them so the edits'
 * columns line up.
 */
export function sourceTexts(
  files: readonly { path: string; bytes: Uint8Array }[],
  paths?: Iterable<string>,
): Map<string, string> {
  const wanted = paths === undefined ? undefined : new Set(paths);
  const out = new Map<string, string>();
  for (const f of files) if (wanted === undefined || wanted.has(f.path)) out.set(f.path, decodeSource(f.bytes).text);
  return out;
}
