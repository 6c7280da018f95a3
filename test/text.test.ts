/** Source bytes to text: UTF-8 or Latin-1, line starts, line lookup, binary detection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSource, lineOf, lineStarts, looksBinary } from '../src/engine/text.js';

const lineOfOffset = (text: string, offset: number) => lineOf(lineStarts(text), offset);

test('valid UTF-8 decodes as utf-8, one character per code point', () => {
  const d = decodeSource(Buffer.from('/* é */ int x;', 'utf8'));
  assert.equal(d.encoding, 'utf-8');
  assert.equal(d.text, '/* é */ int x;');
  assert.equal(d.text.indexOf('int'), 8);
});

test('plain ASCII decodes as utf-8 unchanged', () => {
  const d = decodeSource(Buffer.from('int x;\n'));
  assert.equal(d.encoding, 'utf-8');
  assert.equal(d.text, 'int x;\n');
});

test('a lone Latin-1 byte is not UTF-8: the file decodes as latin1, one character per byte', () => {
  const d = decodeSource(Buffer.from([0x2f, 0x2a, 0xe9, 0x2a, 0x2f]));
  assert.equal(d.encoding, 'latin1');
  assert.equal(d.text, '/*é*/');
  assert.equal(d.text.length, 5);
});

test('Latin-1 text keeps its line numbers', () => {
  const bytes = Buffer.concat([
    Buffer.from('/* Gr'),
    Buffer.from([0xfc]),
    Buffer.from('nde */\r\n'),
    Buffer.from('/* caf'),
    Buffer.from([0xe9]),
    Buffer.from(' */\n'),
    Buffer.from('int x;\n'),
  ]);
  const d = decodeSource(bytes);
  assert.equal(d.encoding, 'latin1');
  assert.equal(d.text.length, bytes.length, 'one character per byte');
  assert.equal(lineOfOffset(d.text, d.text.indexOf('int x')), 3);
  assert.equal(lineOfOffset(d.text, d.text.indexOf('é')), 2);
});

test('a decoder view into a larger buffer decodes only its own bytes', () => {
  const big = Buffer.from([0x41, 0x2f, 0x2a, 0xe9, 0x2a, 0x2f, 0x42]);
  const d = decodeSource(big.subarray(1, 6));
  assert.equal(d.encoding, 'latin1');
  assert.equal(d.text, '/*é*/');
});

test('a UTF-8 byte-order mark does not reach the text', () => {
  const d = decodeSource(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('int x;\nint y;\n')]));
  assert.equal(d.encoding, 'utf-8');
  assert.ok(!d.text.includes('\ufeff'), 'the BOM character is gone');
  assert.equal(d.text.trimStart().slice(0, 6), 'int x;');
  assert.equal(lineOfOffset(d.text, d.text.indexOf('int y')), 2);
});

test('a file of NUL bytes is binary', () => {
  assert.equal(looksBinary(new Uint8Array(64)), true);
});

test('a NUL byte in the middle of text makes it binary', () => {
  assert.equal(looksBinary(Buffer.from('int x;\0int y;')), true);
});

test('source text, Latin-1 included, is not binary', () => {
  assert.equal(looksBinary(Buffer.from('int x;\r\n/* \xe9 */\n', 'latin1')), false);
  assert.equal(looksBinary(new Uint8Array(0)), false);
});

test('lineStarts: one start per line, the first at 0', () => {
  assert.deepEqual(lineStarts('a\nbc\n\nd'), [0, 2, 5, 6]);
  assert.deepEqual(lineStarts('no newline'), [0]);
});

test('lineStarts: a CRLF counts as one line end', () => {
  assert.deepEqual(lineStarts('a\r\nb\r\nc'), [0, 3, 6]);
});

test('lineStarts: a lone CR does not end a line', () => {
  assert.deepEqual(lineStarts('a\rb\nc'), [0, 4]);
});

test('lineOf: 1-based line of every offset, line ends included in their line', () => {
  const text = 'ab\r\ncd\n\nef';
  const starts = lineStarts(text);
  const lines = Array.from({ length: text.length }, (_, i) => lineOf(starts, i));
  //            a  b  \r \n c  d  \n \n e  f
  assert.deepEqual(lines, [1, 1, 1, 1, 2, 2, 2, 3, 4, 4]);
});

test('lineOf: an offset past the end is on the last line', () => {
  const starts = lineStarts('a\nb\n');
  assert.equal(lineOf(starts, 100), 3);
});

test('lineOf agrees with counting newlines over a longer text', () => {
  const text = Array.from({ length: 257 }, (_, i) => `line ${String(i + 1)};`).join('\r\n');
  const starts = lineStarts(text);
  for (const n of [1, 2, 128, 200, 257]) {
    const at = text.indexOf(`line ${String(n)};`);
    assert.equal(lineOf(starts, at), n);
    assert.equal(lineOf(starts, at), text.slice(0, at).split('\n').length);
  }
});

test('a UTF-16 file with its byte-order mark decodes as UTF-16 (little and big endian), and is not binary', () => {
  const source = 'int a; /* é */\r\nint b;\r\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(source, 'utf16le')]);
  const be = Buffer.from(le);
  be.swap16();
  for (const [bytes, encoding] of [
    [le, 'utf-16le'],
    [be, 'utf-16be'],
  ] as const) {
    const d = decodeSource(bytes);
    assert.equal(d.encoding, encoding);
    assert.equal(d.text, ` ${source}`, 'the mark becomes a space, so columns still count from 1');
    assert.equal(looksBinary(bytes), false);
  }
  // NUL bytes without the mark are still binary.
  assert.equal(looksBinary(Buffer.from(source, 'utf16le')), true);
});

test('a lone CR ends a line: decoded as LF, same length, so lines and columns match the LF copy', () => {
  const cr = decodeSource(Buffer.from('int a;\rint b;\r\r  int c;\r'));
  assert.equal(cr.text, 'int a;\nint b;\n\n  int c;\n');
  assert.equal(lineOfOffset(cr.text, cr.text.indexOf('int c')), 4);
  const latin = decodeSource(Buffer.from([0x69, 0x0d, 0xe9, 0x0d, 0x6a]));
  assert.equal(latin.encoding, 'latin1');
  assert.equal(latin.text, 'i\né\nj');
});

test('CRLF stays as it is, and a CR before a CRLF is a line of its own', () => {
  assert.equal(decodeSource(Buffer.from('a\r\nb\r\r\nc')).text, 'a\r\nb\n\r\nc');
  const t = decodeSource(Buffer.from('a\r\nb\r\r\nc')).text;
  assert.equal(lineOfOffset(t, t.indexOf('c')), 4);
});
