/**
 * Source bytes to text. Files are bytes: valid UTF-8 is decoded as such,
 * anything else as Latin-1 (one character per byte), so offsets, lines and
 * columns stay meaningful for old editors' comments. Files that start with a
 * UTF-16 byte-order mark (Visual Studio saves some headers that way) are
 * decoded as UTF-16.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'latin1' | 'utf-16le' | 'utf-16be';
}

/** The UTF-16 flavour a byte-order mark announces, if any. */
function utf16Bom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

export function decodeSource(bytes: Uint8Array): DecodedText {
  const { text, encoding } = decodeBytes(bytes);
  return { text: loneCrToLf(text), encoding };
}

function decodeBytes(bytes: Uint8Array): DecodedText {
  const wide = utf16Bom(bytes);
  if (wide) {
    // Not fatal: a stray unpaired surrogate becomes U+FFFD rather than losing the file.
    const text = new TextDecoder(wide, { ignoreBOM: true }).decode(bytes.subarray(2));
    return { text: ' ' + text, encoding: wide };
  }
  try {
    let text = utf8.decode(bytes);
    // A byte-order mark is not code; blank it so columns still count from 1.
    if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
    return { text, encoding: 'utf-8' };
  } catch {
    return {
      text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
      encoding: 'latin1',
    };
  }
}

/**
 * A carriage return not followed by a line feed ends a line (classic Mac OS
 * files, editors that mix styles). Every later stage (the lexer, tree-sitter,
 * line starts) ends lines at LF only, so a lone CR becomes one LF: the same
 * length, so offsets, lines and columns stay those of the file.
 */
function loneCrToLf(text: string): string {
  if (!text.includes('\r')) return text;
  return text.replace(/\r(?!\n)/g, '\n');
}

/** True when the bytes look like a binary file rather than source text. */
export function looksBinary(bytes: Uint8Array): boolean {
  // UTF-16 text is full of NUL bytes; its byte-order mark says it is text.
  if (utf16Bom(bytes)) return false;
  return bytes.subarray(0, 8000).includes(0);
}

/** Offsets of line starts; lines end at \n (a CRLF counts as one line end; a lone CR was made \n by decodeSource). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/** 1-based line of an offset, by binary search over line starts. */
export function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Whether the character at `at` begins a line (the text's start, or right after a line break). */
export function startsLine(text: string, at: number): boolean {
  return at === 0 || text.charCodeAt(at - 1) === 10 || text.charCodeAt(at - 1) === 13;
}
