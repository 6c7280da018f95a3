/**
 * A file's function-like macros are parsed as one synthetic unit, one
 * function per macro (filefacts.ts, `parseMacroBodies`). A unit that parses
 * cleanly gives every body from that one parse; the careful way (the unit's
 * facts, then a range parse per function, then each lost macro alone) must
 * give the same bodies, on every fixture and shared case and on units one
 * broken body damages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lexBytes, parseMacroBodies } from '../src/engine/filefacts.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';

test('every fixture and shared case: the macro bodies of one parse are the careful way’s', () => {
  const files = fixtureAndCaseFiles();
  let bodies = 0;
  for (const f of files) {
    const lex = lexBytes(readFileSync(f)).lex;
    const fast = parseMacroBodies(lex);
    assert.deepEqual(fast, parseMacroBodies(lex, { oneParse: false }), f);
    bodies += fast.length;
  }
  assert.ok(bodies >= 15, `macro bodies read: ${String(bodies)}`);
});

test('a body that breaks the unit: the others are still read, as the careful way reads them', () => {
  const text = [
    '#define MP_SET_FLAG(a, f) ((a)->Flags |= (f))',
    '#define OPEN_BLOCK(x) { Begin(x)',
    '#define RELEASE(a) NdisMUnmapIoSpace((a)->H, (a)->Regs, 64)',
    '#define TEST(a, f) (((a)->Flags & (f)) != 0)',
    '',
  ].join('\n');
  const lex = lexBytes(Buffer.from(text)).lex;
  const fast = parseMacroBodies(lex);
  assert.deepEqual(fast, parseMacroBodies(lex, { oneParse: false }));
  const names = fast.map((b) => b.name);
  for (const n of ['MP_SET_FLAG', 'RELEASE', 'TEST']) assert.ok(names.includes(n), `${n} read: ${names.join(', ')}`);
});
