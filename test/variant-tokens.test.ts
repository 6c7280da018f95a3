/**
 * A build variant's tokens are read off the source's own (preprocess.ts,
 * `tokensOutside`), not lexed again: they must be exactly what `tokenize`
 * gives for the variant's text. Checked on every C file of the fixtures and
 * the shared cases, and on generated files that mix what the preparation
 * blanks (annotations with and without arguments, `IN`/`OUT`, declaration
 * noise, `#if` chains, continued directives, comments and strings that hold
 * comment openers) with definitions that get an implicit `int`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { tokenize, type Tokens } from '../src/engine/lexer.js';
import { prepareSource } from '../src/engine/preprocess.js';
import { decodeSource } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import { wrapInIfChains } from './support/ifchains.js';
import { defined } from '../src/util/defined.js';

/** Tokens as text, one per line: `kind start end`. */
function listed(t: Tokens): string {
  const out: string[] = [];
  for (let i = 0; i < t.count; i++) out.push(`${String(t.kind[i])} ${String(t.start[i])} ${String(t.end[i])}`);
  return out.join('\n');
}

/** Asserts every variant's derived tokens against a fresh lexing of its text; the number of variants. */
function checkVariants(text: string, label: string): number {
  const prepared = prepareSource(text, tokenize(text));
  const tokens = defined(prepared.tokens, 'tokens of the variants');
  assert.equal(tokens.length, prepared.variants.length, label);
  prepared.variants.forEach((v, i) => {
    assert.equal(listed(tokens[i]), listed(tokenize(v)), `${label}, variant ${String(i)}`);
  });
  return prepared.variants.length;
}

test('every fixture and shared case: each variant’s tokens are its text’s', () => {
  const files = fixtureAndCaseFiles();
  assert.ok(files.length >= 40, `C files found: ${String(files.length)}`);
  let multi = 0;
  for (const f of files) if (checkVariants(decodeSource(readFileSync(f)).text, f) > 1) multi++;
  assert.ok(multi >= 3, `files with several variants: ${String(multi)}`);
});

test('an implicit int after a storage word keeps a space from it: a static function, one token each', () => {
  const text = 'static     Helper(int a)\n{\n    return a;\n}\n__inline    Other(int b)\n{\n    return b;\n}\n';
  const prepared = prepareSource(text, tokenize(text));
  const v = prepared.variants[0];
  assert.match(v, /^static int Helper\(/, 'the word is not glued to `static`');
  assert.match(v, /\nint {9}Other\(/, 'a blanked `__inline` leaves room at the line start');
  checkVariants(text, 'implicit int');
});

/** File-scope lines a driver has: what the preparation blanks, and what it leaves. */
const fileLine = fc.constantFrom(
  'NDIS_STATUS _Function_class_(MINIPORT_INITIALIZE) MpInit(_In_ NDIS_HANDLE h, IN OUT PVOID c)',
  '_Use_decl_annotations_ VOID MpHalt(_In_ NDIS_HANDLE a, IN NDIS_HALT_ACTION x)',
  '__inline    MpSend(PADAPTER a)',
  'static    MpHelper(PADAPTER a)',
  'static __inline    MpQuick(PADAPTER a)',
  'CODE_SEG("PAGE") static VOID Paged(VOID);',
  'E100_PAGED_DATA static const int table[] = { 1, 2 };',
  'DECLSPEC_NOINLINE_FROM_PAGED VOID NotInline(PADAPTER a);',
  'DBG_STATIC ULONG g_Counter = 0;',
  'DBG_STATIC void Destroy(PCARD c);',
  '__HAL_STATIC_DEVICE __HAL_INLINE_DEVICE xge_status_e xge_irq(xge_device_t *d);',
  'VOID __stdcall Conv(__in PADAPTER a, __out_opt PULONG n, __in_ecount(n) PUCHAR b);',
  '#define LONG_MACRO(a) \\\n    do { Free(a); } while (0)',
  '#pragma warning(disable: 4201) /* a comment\n   over two lines */',
  'const char *url = "http://x/*not a comment*/";',
  '/* a comment with #if 0 and _In_ inside */',
  '// a line comment with __inline',
  'typedef struct _A { ULONG UNALIGNED x; PVOID __ptr64 p; } A, *PA;',
);

const bodyLine = fc.constantFrom(
  '{',
  '}',
  '    Status = NdisMMapIoSpace(&a->Io, h, pa, 64);',
  '    if (Status != 0) goto fail;',
  '    __analysis_assume(a != NULL);',
  '    x = y /* inline */ + z;',
  '    s = L"wide /* string";',
  '    return Status;',
);

/** Lines wrapped now and then in `#if` chains, `#if 0` and `#ifdef __cplusplus` among them. */
const generated = fc
  .record({
    lines: fc.array(fc.oneof({ weight: 2, arbitrary: fileLine }, { weight: 3, arbitrary: bodyLine }), {
      minLength: 2,
      maxLength: 24,
    }),
    chains: fc.array(
      fc.record({
        at: fc.nat(),
        len: fc.nat({ max: 6 }),
        open: fc.constantFrom('#if defined(BUILD_A)', '#if 0', '#ifdef __cplusplus', '#ifndef NDIS60 // old'),
        els: fc.boolean(),
        split: fc.nat(),
      }),
      { maxLength: 4 },
    ),
    crlf: fc.boolean(),
  })
  .map(({ lines, chains, crlf }) => wrapInIfChains(lines, chains).join(crlf ? '\r\n' : '\n'));

test('generated files: each variant’s tokens are its text’s', () => {
  let multi = 0;
  fc.assert(
    fc.property(generated, (text) => {
      if (checkVariants(text, text) > 1) multi++;
    }),
    { seed: 20261206, numRuns: 500 },
  );
  assert.ok(multi > 50, `generated files with several variants: ${String(multi)}`);
});
