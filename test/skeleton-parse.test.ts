/**
 * A file's parse leaves its function bodies out (skeleton.ts, parse.ts `parseSkeleton`), and a body
 * left out is read on its own when a rule first asks for it (parse.ts `leftOutDetail`). Against the
 * whole parse (every body read with its file, as before): the same functions and file-scope facts;
 * each function's parameters and body the same; damaged, too deep or read with the project's macros
 * expanded exactly where the whole parse says so. On every fixture and shared case, and on generated
 * files with damaged statements, statement macros with no `;` and `#if` chains (fast-check, fixed seed).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FunctionFact } from '../src/engine/ast.js';
import type { MacroTable } from '../src/engine/expand.js';
import { tokenize } from '../src/engine/lexer.js';
import { parseFacts, parseFunctionDetail } from '../src/engine/parse.js';
import { prepareSource } from '../src/engine/preprocess.js';
import { functionBodies } from '../src/engine/skeleton.js';
import { decodeSource } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import { GENERATED_MACROS, generatedProgram } from './support/generated-c.js';

const bodiesOf = (text: string) => functionBodies(text, tokenize(text))?.map(([s, e]) => text.slice(s, e).trim());

test('the bodies left out: function definitions only, not initializers, aggregates or compound literals', () => {
  const text = [
    'static int t[] = { 1, 2 };',
    'struct S { int x; };',
    'typedef struct DECLSPEC_ALIGN(16) _T { int y; } T;',
    'P p = (P){ 0 };',
    'NTSTATUS F(int a) _Requires_lock_held_(x) { return a; }',
    'VOID G(VOID)',
    '{',
    '    if (x) { y(); }',
    '#if A',
    '    z();',
    '#endif',
    '}',
    'extern "C" { VOID H(void) { h(); } }',
  ].join('\n');
  assert.deepEqual(bodiesOf(text), ['return a;', 'if (x) { y(); }\n#if A\n    z();\n#endif', 'h();']);
  assert.equal(bodiesOf('VOID F(void) { {'), undefined, 'a body open at the end');
  assert.equal(bodiesOf('VOID F(void) { } }'), undefined, 'a brace closing nothing');
});

interface Compared {
  functions: number;
  /** Damaged builds of a function the whole parse kept apart and the skeleton read as one. */
  merged: number;
  leftOut: number;
  damaged: number;
  expanded: number;
}

/** Compares the two readings of one text; counts what it saw. */
function compare(text: string, macros: MacroTable | undefined, seen: Compared): void {
  const prepared = prepareSource(text, tokenize(text));
  const whole = parseFacts(prepared, macros, { skeleton: false });
  const skel = parseFacts(prepared, macros);
  assert.deepEqual(skel.decls, whole.decls, 'declarations');
  assert.deepEqual(skel.functionClass, whole.functionClass, '_Function_class_ marks');
  assert.deepEqual(skel.fileRefs, whole.fileRefs, 'file-scope references');
  const key = (f: FunctionFact) => `${f.name}|${String(f.p[0])}|${String(f.p[1])}`;
  assert.deepEqual([...new Set(skel.functions.map(key))].sort(), [...new Set(whole.functions.map(key))].sort());
  const damagedLines = new Set(skel.damagedLines);
  const deepLines = new Set((skel.limits ?? []).map((l) => l.line));
  for (const w of whole.functions) {
    const s = skel.functions.find((f) => key(f) === key(w) && f.variant === w.variant);
    if (!s) {
      // Builds of a function with the same place and calls are one function (parse.ts `dedupeVariants`):
      // the whole parse kept a second build only because one build's damage read apart (expanded or not).
      const builds = whole.functions.filter((f) => key(f) === key(w));
      assert.ok(
        builds.some((f) => f.expansion !== undefined || f.damaged),
        `${w.name}: build ${String(w.variant)}`,
      );
      seen.merged++;
      continue;
    }
    seen.functions++;
    const wd = parseFunctionDetail(prepared, w, whole.expansions);
    const sd = parseFunctionDetail(prepared, s, skel.expansions, macros);
    assert.deepEqual(sd.params, wd.params, `${w.name}: parameters`);
    assert.deepEqual(sd.body, wd.body, `${w.name}: body`);
    const lazyDamage = s.bodyLeftOut ? sd.damagedAt : undefined;
    assert.equal(s.damaged || lazyDamage !== undefined, w.damaged, `${w.name}: damaged`);
    if (s.bodyLeftOut) seen.leftOut++;
    if (w.damaged) seen.damaged++;
    if (w.expansion !== undefined) seen.expanded++;
    else if (!w.damaged) assert.deepEqual(linkFacts(s), linkFacts(w), `${w.name}: what linking reads`);
    if (lazyDamage !== undefined) (sd.deep ? deepLines : damagedLines).add(lazyDamage);
  }
  assert.deepEqual([...damagedLines].sort(), [...whole.damagedLines].sort(), 'damaged lines');
  assert.deepEqual([...deepLines].sort(), [...new Set((whole.limits ?? []).map((l) => l.line))].sort(), 'limits');
}

/** What linking reads from a function (its place and what its tokens say). */
function linkFacts(f: FunctionFact): unknown {
  const { bodyLeftOut: _, ...rest } = f;
  return rest;
}

test('every fixture and shared case reads the same with its bodies left out', () => {
  const seen: Compared = { functions: 0, merged: 0, leftOut: 0, damaged: 0, expanded: 0 };
  for (const f of fixtureAndCaseFiles()) compare(decodeSource(readFileSync(f)).text, undefined, seen);
  assert.ok(seen.functions > 300 && seen.leftOut > 200, JSON.stringify(seen));
});

test('generated files with damage, macros and #if chains read the same with their bodies left out', () => {
  const seen: Compared = { functions: 0, merged: 0, leftOut: 0, damaged: 0, expanded: 0 };
  fc.assert(
    fc.property(generatedProgram, (text) => {
      for (const macros of [undefined, GENERATED_MACROS]) compare(text, macros, seen);
    }),
    { seed: 20261206, numRuns: 400 },
  );
  // The property is about damaged and expanded bodies read late: both must have happened.
  assert.ok(seen.leftOut > 200 && seen.damaged > 20 && seen.expanded > 20, JSON.stringify(seen));
});

/**
 * A skeleton of many bodies is parsed as its text with the bodies blanked (parse.ts `blankBodies`),
 * not through ranges: the same facts either way, on every fixture, shared case and generated file.
 */
test('a skeleton read with its bodies blanked gives the facts it gives read through ranges', () => {
  let leftOut = 0;
  const same = (text: string, macros: MacroTable | undefined) => {
    const prepared = prepareSource(text, tokenize(text));
    const ranged = parseFacts(prepared, macros);
    const blanked = parseFacts(prepared, macros, { skeletonRanges: 0 });
    assert.deepEqual(blanked, ranged);
    leftOut += blanked.functions.filter((f) => f.bodyLeftOut).length;
  };
  for (const f of fixtureAndCaseFiles()) same(decodeSource(readFileSync(f)).text, undefined);
  fc.assert(
    fc.property(generatedProgram, (text) => {
      for (const macros of [undefined, GENERATED_MACROS]) same(text, macros);
    }),
    { seed: 20261207, numRuns: 200 },
  );
  assert.ok(leftOut > 400, `bodies left out: ${String(leftOut)}`);
});
