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
import { pathDistance, walkExprs } from '../src/engine/program.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';
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

/** The body the whole-file reading gives for the nearest definition of `name` that reads (the eager rule). */
function eagerBody(files: Record<string, string>, from: string, name: string): unknown {
  let best: { d: number; body: unknown } | undefined;
  for (const [path, text] of Object.entries(files)) {
    for (const b of parseMacroBodies(lexBytes(Buffer.from(text)).lex)) {
      if (b.name !== name) continue;
      const d = pathDistance(from, path);
      if (!best || d < best.d) best = { d, body: { ...b, file: path } };
    }
  }
  return best?.body;
}

test('a parsed file’s macro bodies are read on first use: the nearest definition that reads, as read whole', () => {
  const files = {
    'drv/mp.c': `#include "mp.h"
#define LOCAL_FREE(a) NdisFreeMemory((a)->Buf, 0, 0)
VOID MpFree(PADAPTER a) { LOCAL_FREE(a); SHARED(a); NdisStallExecution(1); }`,
    'drv/mp.h': `#define SHARED(a) ((a)->Flags |= 1)
#define UNUSED(a) NdisFreeMemory((a)->Other, 0, 0)`,
    'other/x.h': '#define SHARED(a) ((a)->Flags |= 2)',
  };
  const program = programOf(files);
  const parsed = (path: string) => defined(program.files.get(path)?.parsed);
  // Nothing is read before an analysis asks.
  assert.equal(parsed('drv/mp.h').macroBodies, undefined);
  for (const name of ['LOCAL_FREE', 'SHARED', 'UNUSED'])
    assert.deepEqual(program.macroBody('drv/mp.c', name), eagerBody(files, 'drv/mp.c', name), name);
  // `SHARED` is the near header's (`|= 1`), not the far one's.
  assert.equal(program.macroBody('drv/mp.c', 'SHARED')?.file, 'drv/mp.h');
  const far = eagerBody(files, 'other/x.h', 'SHARED') as { body: unknown; file: string };
  assert.equal(far.file, 'other/x.h');
  assert.notDeepEqual(program.macroBody('drv/mp.c', 'SHARED')?.body, far.body);
  assert.ok(parsed('drv/mp.h').macroBodies, 'read once asked, and kept in the facts');
});

test('every definition of a macro, one per `#if` branch: read as code, a body with no call read as nothing', () => {
  const files = {
    'drv/mp.h': `#if DBG
#define MP_FREE(p) MpAuditFree((p), __LINE__)
#define MP_LOG(x) DbgPrint(x)
#define MP_ALIAS(p) MpAuditFree((p), 0)
#else
#define MP_FREE(p) NdisFreeMemory((p), 0, 0)
#define MP_LOG(x)
#define MP_ALIAS NdisFreeMemory
#endif
#define MP_FREE(p) NdisFreeMemory((p), 0, 0)`,
    'drv/mp.c': '#include "mp.h"\nVOID F(PVOID p) { MP_FREE(p); MP_LOG("x"); }',
  };
  const program = programOf(files);
  const calls = (name: string) =>
    defined(program.macroDefinitions(name)).map((d) => {
      const out: string[] = [];
      walkExprs(d.body, (x) => {
        if (x.t === 'call' && x.f.t === 'id') out.push(x.f.n);
      });
      return out.join(',');
    });
  // Two texts (the third definition repeats the second); the empty body reads as no call.
  assert.deepEqual(calls('MP_FREE'), ['MpAuditFree', 'NdisFreeMemory']);
  assert.deepEqual(calls('MP_LOG'), ['DbgPrint', '']);
  assert.equal(defined(program.macroDefinitions('MP_LOG'))[1].body.k, 'nop');
  // An object-like definition of the name: not every build's expansion can be read.
  assert.equal(program.macroDefinitions('MP_ALIAS'), undefined);
  assert.equal(program.macroDefinitions('NOT_A_MACRO'), undefined);
});
