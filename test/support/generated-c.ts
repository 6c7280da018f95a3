/**
 * Generated C files for property tests of the parse: whole functions and
 * file-scope declarations, some statements damaged, random line spans wrapped
 * in `#if` chains, some files with CRLF line ends.
 */
import fc from 'fast-check';
import type { MacroTable } from '../../src/engine/expand.js';
import { wrapInIfChains } from './ifchains.js';

/** Statement macros with no `;` after their use, which tree-sitter reads only once expanded. */
export const GENERATED_MACROS: MacroTable = new Map([
  ['MP_SET_FLAG', { name: 'MP_SET_FLAG', params: ['a', 'f'], body: '((a)->Flags |= (f));' }],
  ['DBG_ENTER', { name: 'DBG_ENTER', params: ['x'], body: 'Trace(x);' }],
]);

/** A statement line of a generated function, now and then a damaged one. */
const statement = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      '    Status = NdisMMapIoSpace(&a->Io, h, pa, 64);',
      '    if (Status != 0) goto fail;',
      '    if (x) { Stop(a); } else { Go(a); }',
      '    NdisMUnmapIoSpace(h, a->Io, 64);',
      '    return Status;',
      'fail:',
      '    a->Handler = Helper;',
      '    MP_SET_FLAG(a, F);',
      '    {',
      '    }',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('    ]] (;', '    x = ;', '    MP_SET_FLAG(a, F)') },
);

/** Lines of a generated file: whole functions and file-scope declarations. */
const lines = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ['static int g_count = 0;'],
        ['VOID Helper(PADAPTER a) { Free(a); }'],
        ['typedef struct _A { int x; } A, *PA;'],
        ['#define M(x) ((x) + 1)'],
      ),
      fc
        .tuple(
          fc.constantFrom('NDIS_STATUS Init(PADAPTER a)', 'NDIS_STATUS Init(PADAPTER a, ULONG n)', 'VOID Halt(PA a)'),
          fc.array(statement, { maxLength: 8 }),
        )
        .map(([header, body]) => [header, '{', ...body, '}']),
    ),
    { minLength: 2, maxLength: 8 },
  )
  .map((items) => items.flat());

/** Wraps random line spans in `#if` chains (nested, with `#elif` and `#else`). */
export const generatedProgram = fc
  .record({
    lines,
    chains: fc.array(
      fc.record({ at: fc.nat(), len: fc.nat({ max: 8 }), elif: fc.boolean(), els: fc.boolean(), split: fc.nat() }),
      { maxLength: 4 },
    ),
  })
  .map(({ lines, chains }) => wrapInIfChains(lines, chains).join(lineEnd(lines.length)));

/** Some files with CRLF line ends, as Windows drivers have them. */
function lineEnd(n: number): string {
  return n % 3 === 0 ? '\r\n' : '\n';
}
