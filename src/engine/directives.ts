/**
 * Suppression directives in a source file's comments, line or block:
 *
 *     // ndis-review-disable-next-line ndis/unmap-length -- the BAR is resized by firmware
 *     NdisMUnmapIoSpace(h, a->Regs, a->RegsLength);
 *     Helper(a); // ndis-review-disable-line ndis/mmap-context, ndis/unmap-in-halt -- reason
 *
 * This module only finds them (plain data: where, which rules, why); what
 * they suppress is decided by the review layer, which knows the findings
 * and the rule ids. Directives are read from comments only, never from
 * string literals, so a message that quotes one does not suppress anything.
 */
import { decodeSource } from './text.js';

export type DirectiveKind = 'disable-line' | 'disable-next-line';

export interface Directive {
  /** Path as the scan names the file (relative to the root, forward slashes). */
  path: string;
  /** `invalid`: the comment starts like a directive but is not one ndis-review knows (a typo). */
  kind: DirectiveKind | 'invalid';
  /** Where the comment is: 1-based line and column, end exclusive (columns count UTF-16 code units). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The line whose findings it suppresses (0 for `invalid`). */
  target: number;
  /** Rule ids as written, in order, without repeats. */
  rules: string[];
  /** The text after `--`, trimmed; empty when none was given. */
  reason: string;
  /** The directive as written (the comment's text, trimmed, on one line). */
  text: string;
}

const MARKER = 'ndis-review-disable';
const HEAD = /^ndis-review-(disable-next-line|disable-line)(?=\s|$)/;

/** The directives in a file's bytes; cheap for the files without any (a byte search). */
export function directivesIn(path: string, bytes: Uint8Array): Directive[] {
  const wide =
    bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (!wide && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(MARKER, 0, 'latin1') < 0)
    return [];
  return findDirectives(path, decodeSource(bytes).text);
}

interface Comment {
  body: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The directives in decoded source text. */
export function findDirectives(path: string, text: string): Directive[] {
  const out: Directive[] = [];
  for (const comment of comments(text)) {
    const directive = parseComment(path, comment);
    if (directive) out.push(directive);
  }
  return out;
}

function parseComment(path: string, c: Comment): Directive | undefined {
  // A block comment's lines may start with `*`; the directive is read as one line.
  const flat = c.body
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*\*+(?!\/)/, '')
        .replace(/\\\r?$/, '')
        .trim(),
    )
    .join(' ')
    .trim();
  if (!flat.startsWith(MARKER)) return undefined;
  const where = { path, line: c.line, column: c.column, endLine: c.endLine, endColumn: c.endColumn, text: flat };
  const head = HEAD.exec(flat);
  if (!head) return { ...where, kind: 'invalid', target: 0, rules: [], reason: '' };
  const kind = head[1] as DirectiveKind;
  const rest = flat.slice(head[0].length);
  const dashes = rest.search(/(?:^|\s)--(?:\s|$)/);
  const ruleText = dashes < 0 ? rest : rest.slice(0, dashes);
  const reason =
    dashes < 0
      ? ''
      : rest
          .slice(dashes)
          .replace(/^\s*--/, '')
          .trim();
  const rules: string[] = [];
  for (const id of ruleText.split(/[\s,]+/)) if (id !== '' && !rules.includes(id)) rules.push(id);
  const target = kind === 'disable-line' ? c.line : c.endLine + 1;
  return { ...where, kind, target, rules, reason };
}

/**
 * The comments of C text, with their positions. Strings and character
 * literals are skipped (with their escapes); a `//` comment goes on past a
 * line ending in a backslash, as the C preprocessor splices the lines.
 */
function* comments(text: string): Generator<Comment> {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  while (i < n) {
    const ch = text[i];
    if (ch === '\n') {
      newline(i);
      i++;
    } else if (ch === '"' || ch === "'") {
      i++;
      while (i < n && text[i] !== ch && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < n) {
          if (text[i + 1] === '\n') newline(i + 1);
          i++;
        }
        i++;
      }
      // An unclosed literal ends at the line end, which the main loop counts.
      if (text[i] === ch) i++;
    } else if (ch === '/' && text[i + 1] === '/') {
      const startLine = line;
      const column = i - lineStart + 1;
      let j = i + 2;
      for (;;) {
        const end = text.indexOf('\n', j);
        const stop = end < 0 ? n : end;
        const spliced = stop > j && text[stop - (text[stop - 1] === '\r' ? 2 : 1)] === '\\';
        if (end < 0 || !spliced) {
          const close = stop > 0 && text[stop - 1] === '\r' ? stop - 1 : stop;
          yield {
            body: text.slice(i + 2, close),
            line: startLine,
            column,
            endLine: line,
            endColumn: close - lineStart + 1,
          };
          i = stop;
          break;
        }
        newline(end);
        j = end + 1;
      }
    } else if (ch === '/' && text[i + 1] === '*') {
      const startLine = line;
      const column = i - lineStart + 1;
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? n : close;
      for (let k = text.indexOf('\n', i + 2); k >= 0 && k < stop; k = text.indexOf('\n', k + 1)) newline(k);
      const end = close < 0 ? n : close + 2;
      yield { body: text.slice(i + 2, stop), line: startLine, column, endLine: line, endColumn: end - lineStart + 1 };
      i = end;
    } else {
      i++;
    }
  }
}
