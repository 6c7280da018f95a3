/**
 * Source bytes to text. Files are bytes: valid UTF-8 is decoded as such,
 * anything else as Latin-1 (one character per byte), so offsets, lines and
 * columns stay meaningful for old editors' comments.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'latin1';
}

export function decodeSource(bytes: Uint8Array): DecodedText {
  try {
    let text = utf8.decode(bytes);
    // A byte-order mark is not code; blank it so columns still count from 1.
    if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), encoding: 'latin1' };
  }
}

/** True when the bytes look like a binary file rather than source text. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).indexOf(0) !== -1;
}

/** Offsets of line starts; lines end at \n (a CRLF counts as one line end). */
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
