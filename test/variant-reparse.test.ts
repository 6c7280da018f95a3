/**
 * The build variants of a file (its `#if` branches) are parsed incrementally
 * from one another (parse.ts, `parseVariant`): the facts must be exactly those
 * of parsing every variant from scratch. Checked on every C file of the
 * fixtures and the shared cases, and on generated files whose `#if` chains
 * wrap whole functions, statements, parts of a header or unbalanced braces
 * (fast-check, fixed seed), some with syntax damage that sends the parse back
 * to a fresh one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { tokenize } from '../src/engine/lexer.js';
import { parseFacts, variantReads } from '../src/engine/parse.js';
import { prepareSource } from '../src/engine/preprocess.js';
import type { MacroTable } from '../src/engine/expand.js';
import { decodeSource } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import { GENERATED_MACROS as MACROS, generatedProgram as program } from './support/generated-c.js';

/**
 * Each file read twice by the whole parse (every body with its file: what a file whose bodies cannot
 * be left out gets, see test/skeleton-parse.test.ts): as the scan reads it (variants parsed
 * incrementally, a damaged region read once for every variant that has it) and as the reference does
 * (every variant fresh, every region read again). `macros` are the repository's, for the damaged
 * regions they make readable.
 */
function bothWays(text: string, macros?: MacroTable): { inc: unknown; fresh: unknown; variants: number } {
  const prepared = prepareSource(text, tokenize(text));
  // The whole parse (every body read with its file), which a file whose bodies cannot be left out gets.
  const fresh = parseFacts(prepared, macros, { incremental: false, shareRegions: false, skeleton: false });
  const inc = parseFacts(prepared, macros, { skeleton: false });
  return { inc, fresh, variants: prepared.variants.length };
}

test('every fixture and shared case reads the same with variants parsed incrementally', () => {
  const files = fixtureAndCaseFiles();
  assert.ok(files.length >= 40, `C files found: ${String(files.length)}`);
  let multi = 0;
  for (const f of files) {
    const { inc, fresh, variants } = bothWays(decodeSource(readFileSync(f)).text);
    if (variants > 1) multi++;
    assert.deepEqual(inc, fresh, f);
  }
  assert.ok(multi >= 3, `files with several variants: ${String(multi)}`);
});

const TWO_BUILDS = `
NDIS_STATUS A(PADAPTER p)
{
    Setup(p);
    return 0;
}

NDIS_STATUS B(PADAPTER p)
{
#if NDIS60
    Register60(p);
#else
    Register50(p);
#endif
    return 0;
}

VOID C(PADAPTER p)
{
    Teardown(p);
}
`;

test('a second build reuses the functions an #if does not touch, and reads the one it does', () => {
  const before = { ...variantReads };
  const { inc, fresh, variants } = bothWays(TWO_BUILDS);
  assert.equal(variants, 2);
  assert.deepEqual(inc, fresh);
  assert.equal(variantReads.incremental - before.incremental, 1, 'the second build was parsed incrementally');
  assert.equal(variantReads.itemsReused - before.itemsReused, 2, 'A and C were not read again');
  const names = (inc as { functions: { name: string; calls: string[] }[] }).functions.map(
    (f) => `${f.name}:${f.calls.join(',')}`,
  );
  assert.deepEqual(names, ['A:Setup', 'B:Register60', 'C:Teardown', 'B:Register50']);
});

test('a build whose tree has a syntax error is parsed from scratch', () => {
  const damaged = TWO_BUILDS.replace('Register50(p);', 'Register50(p) ]] (;');
  const before = { ...variantReads };
  const { inc, fresh } = bothWays(damaged);
  assert.deepEqual(inc, fresh);
  assert.equal(variantReads.itemsReused - before.itemsReused, 0, 'nothing is reused from a damaged tree');
  assert.ok(variantReads.fresh - before.fresh >= 2, 'both builds parsed from scratch in the incremental read');
});

test('a damaged region that every build has is expanded and parsed once, with the facts of reading it per build', () => {
  // D's body needs its macros expanded in both builds (the same text at the same place);
  // B differs between the builds, so its region is read in each.
  const text = `${TWO_BUILDS}
VOID D(PADAPTER p)
{
    DBG_ENTER(p)
    MP_SET_FLAG(p, 4)
    Teardown(p);
}
`;
  const before = { ...variantReads };
  const { inc, fresh, variants } = bothWays(text, MACROS);
  assert.equal(variants, 2);
  assert.deepEqual(inc, fresh);
  const facts = inc as { functions: { name: string; calls: string[]; expansion?: number }[]; expansions?: unknown[] };
  const d = facts.functions.filter((f) => f.name === 'D');
  assert.equal(d.length, 1, 'one D for both builds');
  assert.deepEqual(d[0].calls, ['Trace', 'Teardown'], 'read as expanded');
  assert.equal(facts.expansions?.length, 2, 'each build names the expansion it read');
  assert.ok(variantReads.regionsShared - before.regionsShared >= 1, "the second build took the first build's read");
});

test('generated #if chains: incremental and fresh parses give the same facts', () => {
  const before = { ...variantReads };
  fc.assert(
    fc.property(program, (text) => {
      // With the macros too: the damaged `MP_SET_FLAG(a, F)` with no `;` is a region they make readable.
      for (const macros of [undefined, MACROS]) {
        const { inc, fresh } = bothWays(text, macros);
        assert.deepEqual(inc, fresh, text);
      }
    }),
    { seed: 20261205, numRuns: 400 },
  );
  // The property is about the incremental path and the shared regions: both must have been taken.
  assert.ok(variantReads.incremental - before.incremental > 50, 'incremental reads happened');
  assert.ok(variantReads.itemsReused - before.itemsReused > 50, 'items were reused');
  assert.ok(variantReads.regionsShared - before.regionsShared > 20, 'regions were shared between builds');
});
