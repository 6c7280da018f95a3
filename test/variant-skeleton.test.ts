/**
 * A build variant that differs from the first only inside function bodies shares the first variant's
 * skeleton (parse.ts `changedBodies`): only the functions whose bodies differ are read again, from
 * their tokens. Against every variant read on its own (`shareSkeletons: false`): the same facts,
 * deep-equal, on hand-written variants, every fixture and shared case, and generated files with `#if`
 * chains (fast-check, fixed seed); and the sharing happens where it should, and only there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ParsedFacts } from '../src/engine/ast.js';
import type { MacroTable } from '../src/engine/expand.js';
import { tokenize } from '../src/engine/lexer.js';
import { differingRanges, parseFacts, variantReads } from '../src/engine/parse.js';
import { prepareSource } from '../src/engine/preprocess.js';
import { decodeSource } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import { GENERATED_MACROS, generatedProgram } from './support/generated-c.js';

/** The facts both ways (asserted equal), and how many variants shared a skeleton. */
function bothWays(text: string, macros?: MacroTable): { facts: ParsedFacts; shared: number; variants: number } {
  const prepared = prepareSource(text, tokenize(text));
  const alone = parseFacts(prepared, macros, { shareSkeletons: false });
  const before = variantReads.skeletonsShared;
  const facts = parseFacts(prepared, macros);
  assert.deepEqual(facts, alone);
  return { facts, shared: variantReads.skeletonsShared - before, variants: prepared.variants.length };
}

const lines = (...l: string[]) => l.join('\n') + '\n';

test('a variant that differs only inside a body shares the skeleton, and that body is its own', () => {
  const { facts, shared, variants } = bothWays(
    lines(
      'static int Count;',
      'NDIS_STATUS Init(PADAPTER A)',
      '{',
      '#if DBG',
      '    DbgTrace(A);',
      '#else',
      '    FastPath(A);',
      '#endif',
      '    return Setup(A);',
      '}',
      'VOID Other(VOID) { Helper(); }',
    ),
  );
  assert.equal(variants, 2);
  assert.equal(shared, 1);
  // Init read in both builds (different calls), Other once (the same in both).
  const calls = facts.functions.map((f) => `${f.name}:${f.calls.slice().sort().join(',')}`).sort();
  assert.deepEqual(calls, ['Init:DbgTrace,Setup', 'Init:FastPath,Setup', 'Other:Helper']);
  assert.equal(facts.decls.filter((d) => d.name === 'Count').length, 1);
});

test('a variant that differs outside the bodies, or moves one, parses its own skeleton', () => {
  const outside = bothWays(
    lines('#if NDIS60', 'static int Mode = 6;', '#else', 'static int Mode = 5;', '#endif', 'VOID F(VOID) { G(); }'),
  );
  assert.equal(outside.variants, 2);
  assert.equal(outside.shared, 0);
  // A branch that opens the body one way or the other: the bodies are not where they were.
  const braces = bothWays(
    lines(
      'VOID F(int a)',
      '#if A',
      '{ if (a) {',
      '#else',
      '{ {',
      '#endif',
      '  G(); } }',
      'VOID H(VOID) {',
      '#if B',
      '  J();',
      '#endif',
      '}',
    ),
  );
  assert.ok(braces.variants >= 2);
  // A whole function in one branch: the bodies differ in number.
  const whole = bothWays(lines('#if A', 'VOID F(VOID) { G(); }', '#endif', 'VOID H(VOID) { J(); }'));
  assert.equal(whole.shared, 0);
});

test('every fixture and shared case, and generated files with #if chains, read the same sharing skeletons', () => {
  let shared = 0;
  let multi = 0;
  for (const f of fixtureAndCaseFiles()) {
    const r = bothWays(decodeSource(readFileSync(f)).text);
    shared += r.shared;
    if (r.variants > 1) multi++;
  }
  fc.assert(
    fc.property(generatedProgram, (text) => {
      for (const macros of [undefined, GENERATED_MACROS]) {
        const r = bothWays(text, macros);
        shared += r.shared;
        if (r.variants > 1) multi++;
      }
    }),
    { seed: 20261208, numRuns: 300 },
  );
  // The comparison is worth something only where variants were read, and some shared.
  assert.ok(multi > 50 && shared > 20, `files with variants: ${String(multi)}, skeletons shared: ${String(shared)}`);
});

/** `differingRanges` read a character at a time: the reference for the one that passes equal blocks over. */
function differingSlowly(a: string, b: string, gap: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    let j = i + 1;
    while (j < a.length && a[j] !== b[j]) j++;
    const last = out.at(-1);
    if (last && i - last[1] < gap) last[1] = j;
    else out.push([i, j]);
    i = j;
  }
  return out;
}

test('the ranges where two variants differ are found as a character-by-character reading finds them', () => {
  // Texts of a few blocks' length, with changes anywhere (at block edges, across them, at the ends),
  // some of whose characters are the ones they replace: runs one character apart.
  const edits = fc.array(
    fc.tuple(fc.nat(3000), fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 700 })), fc.string()),
    { maxLength: 40 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), edits, fc.constantFrom(0, 1, 256), (length, changes, gap) => {
      const a = 'abcdefghij'.repeat(Math.ceil(length / 10)).slice(0, length);
      let b = a;
      for (const [at, len, chars] of changes) {
        const s = Math.min(at, length);
        const e = Math.min(length, s + len);
        const fill = (chars + 'ab').repeat(e - s).slice(0, e - s);
        b = b.slice(0, s) + fill + b.slice(e);
      }
      assert.deepEqual(differingRanges(a, b, gap), differingSlowly(a, b, gap));
    }),
    { seed: 20261209, numRuns: 2000 },
  );
});
