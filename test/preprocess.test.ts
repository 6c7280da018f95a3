/**
 * The annotation neutraliser and #if splitter: every variant keeps the
 * source's length, line breaks and code offsets; only annotations and
 * preprocessor lines turn into spaces, and #if chains into variants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../src/engine/lexer.js';
import { blankRanges, EMPTY_MACROS, prepareSource, type Prepared } from '../src/engine/preprocess.js';

function prepare(text: string): Prepared {
  const p = prepareSource(text, tokenize(text));
  for (const v of p.variants) assertSameShape(text, v);
  return p;
}

/** Same length, same line breaks at the same indexes, and every other character kept or blanked. */
function assertSameShape(input: string, variant: string): void {
  assert.equal(variant.length, input.length, 'a variant has the input length');
  for (let i = 0; i < input.length; i++) {
    const a = input[i];
    const b = variant[i];
    if (a === '\n' || a === '\r') assert.equal(b, a, `line break at ${String(i)} kept`);
    else
      assert.ok(
        b === a || b === ' ',
        `character ${String(i)} (${JSON.stringify(a)}) kept or blanked, got ${JSON.stringify(b)}`,
      );
  }
}

/** Code words of a variant, in order. */
const words = (s: string) => s.match(/[A-Za-z_]\w*/g) ?? [];

const SAL = [
  '_Use_decl_annotations_',
  '_IRQL_requires_(PASSIVE_LEVEL)',
  'NDIS_STATUS',
  'MpRead(',
  '    _In_ NDIS_HANDLE h,',
  '    _Out_writes_bytes_(Len) PVOID Buf,',
  '    _In_ ULONG Len',
  '    )',
  '{',
  '    return 0;',
  '}',
  '',
].join('\n');

test('SAL annotations with and without arguments become spaces', () => {
  const [v] = prepare(SAL).variants;
  for (const a of [
    '_Use_decl_annotations_',
    '_IRQL_requires_',
    'PASSIVE_LEVEL',
    '_In_',
    '_Out_writes_bytes_',
    '(Len)',
  ]) {
    assert.ok(!v.includes(a), `${a} is blanked`);
  }
  assert.deepEqual(words(v), ['NDIS_STATUS', 'MpRead', 'NDIS_HANDLE', 'h', 'PVOID', 'Buf', 'ULONG', 'Len', 'return']);
});

test('the function name and parameters stay at their offsets after blanking', () => {
  const [v] = prepare(SAL).variants;
  for (const w of ['MpRead(', 'NDIS_HANDLE h', 'PVOID Buf', 'ULONG Len', 'return 0;']) {
    assert.equal(v.indexOf(w), SAL.indexOf(w), `${w} did not move`);
  }
});

test('IN, OUT, OPTIONAL, NTAPI and __stdcall become spaces', () => {
  const text = 'VOID NTAPI __stdcall F(IN PVOID a, OUT PULONG b OPTIONAL) { }\n';
  const [v] = prepare(text).variants;
  assert.deepEqual(words(v), ['VOID', 'F', 'PVOID', 'a', 'PULONG', 'b']);
  assert.equal(v.indexOf('F('), text.indexOf('F('));
});

test("the pointer-size modifiers (basetsd.h's POINTER_32, POINTER_64) become spaces, so a sizeof of one parses", () => {
  const text = 'ULONG n = is32 ? sizeof(VOID * POINTER_32) : sizeof(VOID * POINTER_64); PVOID __sptr p;\n';
  const [v] = prepare(text).variants;
  assert.deepEqual(words(v), ['ULONG', 'n', 'is32', 'sizeof', 'VOID', 'sizeof', 'VOID', 'PVOID', 'p']);
  assert.equal(v.length, text.length);
});

test('__declspec and its argument list become spaces', () => {
  const text = '__declspec(align(16)) int __cdecl G(void);\n';
  const [v] = prepare(text).variants;
  assert.deepEqual(words(v), ['int', 'G', 'void']);
  assert.equal(v.indexOf('G('), text.indexOf('G('));
});

test('__declspec without an argument list is left alone', () => {
  const [v] = prepare('int __declspec;\n').variants;
  assert.deepEqual(words(v), ['int', '__declspec']);
});

test('annotation arguments with nested parentheses are blanked to the matching one', () => {
  const text = 'VOID F(_When_((n) > 0, _In_reads_(n)) PVOID p, ULONG n);\n';
  const [v] = prepare(text).variants;
  assert.deepEqual(words(v), ['VOID', 'F', 'PVOID', 'p', 'ULONG', 'n']);
});

test('names that only resemble annotations are kept', () => {
  const text = 'int _In_x; int Foo_In_; int INPUT; int OUTER; int In_; int _in_;\n';
  const [v] = prepare(text).variants;
  assert.equal(v, text);
});

test('preprocessor lines become spaces, continuations included', () => {
  const text = '#include <ndis.h>\n#define M(a) \\\n    f(a)\nint x;\n';
  const [v] = prepare(text).variants;
  assert.deepEqual(words(v), ['int', 'x']);
  assert.equal(v.indexOf('int x;'), text.indexOf('int x;'));
});

test('CRLF input: every CR and LF stays where it was', () => {
  const text = SAL.replace(/\n/g, '\r\n') + '#define X 1\r\n#ifdef A\r\nint a;\r\n#else\r\nint b;\r\n#endif\r\n';
  const p = prepare(text); // assertSameShape checks each \r and \n
  assert.equal(p.variants.length, 2);
  for (const v of p.variants) assert.equal(v.indexOf('MpRead('), text.indexOf('MpRead('));
});

test('_Function_class_ is blanked and recorded with the offset of the annotation', () => {
  const text =
    '/* halt */\r\n_Function_class_(MINIPORT_HALT)\r\n_IRQL_requires_(PASSIVE_LEVEL)\r\nVOID MpHalt(NDIS_HANDLE c) { }\r\n';
  const p = prepare(text);
  assert.deepEqual(p.functionClass, [{ roleType: 'MINIPORT_HALT', offset: text.indexOf('_Function_class_') }]);
  assert.ok(!p.variants[0].includes('MINIPORT_HALT'));
  assert.equal(p.variants[0].indexOf('MpHalt'), text.indexOf('MpHalt'));
});

test('several _Function_class_ marks each keep their own offset', () => {
  const text =
    '_Function_class_(MINIPORT_PAUSE) NDIS_STATUS P(VOID);\n_Function_class_( MINIPORT_RESTART ) NDIS_STATUS R(VOID);\n';
  const p = prepare(text);
  assert.deepEqual(p.functionClass, [
    { roleType: 'MINIPORT_PAUSE', offset: 0 },
    { roleType: 'MINIPORT_RESTART', offset: text.indexOf('_Function_class_(', 1) },
  ]);
});

test('_Function_class_ with something other than one name records no mark', () => {
  assert.deepEqual(prepare('_Function_class_(A B) VOID F(VOID);\n').functionClass, []);
  assert.deepEqual(prepare('_Function_class_() VOID F(VOID);\n').functionClass, []);
});

test('#if 0 ... #else ... #endif keeps only the #else branch, in one variant', () => {
  const text = '#if 0\nint dead;\n#else\nint live;\n#endif\n';
  const p = prepare(text);
  assert.equal(p.variants.length, 1);
  assert.deepEqual(words(p.variants[0]), ['int', 'live']);
  assert.equal(p.variants[0].indexOf('int live;'), text.indexOf('int live;'));
});

test('#if 0 without #else drops its branch and keeps what follows', () => {
  const p = prepare('#if 0\nint dead;\n#endif\nint after;\n');
  assert.deepEqual(p.variants.map(words), [['int', 'after']]);
});

test('#if 0 with a trailing comment or in parentheses is still literal zero', () => {
  assert.deepEqual(prepare('#if 0 // off\nint dead;\n#endif\n').variants.map(words), [[]]);
  assert.deepEqual(prepare('#if (0) /* off */\nint dead;\n#endif\n').variants.map(words), [[]]);
});

test('#if 0 in CRLF text is still literal zero', () => {
  const p = prepare('#if 0\r\nint dead;\r\n#else\r\nint live;\r\n#endif\r\n');
  assert.deepEqual(p.variants.map(words), [['int', 'live']]);
});

test('#if with a condition that is not a literal 0 is kept', () => {
  assert.deepEqual(prepare('#if 0 || X\nint a;\n#endif\n').variants.map(words), [['int', 'a']]);
  assert.deepEqual(prepare('#if DBG\nint a;\n#endif\n').variants.map(words), [['int', 'a']]);
});

test('#elif 0 is dropped like #if 0', () => {
  const p = prepare('#ifdef A\nint a;\n#elif 0\nint dead;\n#else\nint c;\n#endif\n');
  assert.deepEqual(p.variants.map(words), [
    ['int', 'a'],
    ['int', 'c'],
  ]);
});

test('#if without #else is kept in every variant', () => {
  const text = '#if DBG\nint always;\n#endif\n#ifdef X5\nint five;\n#else\nint six;\n#endif\n';
  const p = prepare(text);
  assert.deepEqual(p.variants.map(words), [
    ['int', 'always', 'int', 'five'],
    ['int', 'always', 'int', 'six'],
  ]);
});

test('an #ifdef / #elif / #else chain becomes one variant per branch', () => {
  const p = prepare('#ifdef A\nint a;\n#elif defined(B)\nint b;\n#else\nint c;\n#endif\nint tail;\n');
  assert.deepEqual(p.variants.map(words), [
    ['int', 'a', 'int', 'tail'],
    ['int', 'b', 'int', 'tail'],
    ['int', 'c', 'int', 'tail'],
  ]);
});

test('a function split over #if / #else parses as C in each variant', () => {
  const text = [
    'NDIS_STATUS MpInit(NDIS_HANDLE h)',
    '{',
    '#ifdef NDIS60',
    '    if (Map6(h)) {',
    '#else',
    '    if (Map5(h)) {',
    '#endif',
    '        return 1;',
    '    }',
    '    return 0;',
    '}',
    '',
  ].join('\n');
  const p = prepare(text);
  assert.equal(p.variants.length, 2);
  assert.ok(p.variants[0].includes('Map6') && !p.variants[0].includes('Map5'));
  assert.ok(p.variants[1].includes('Map5') && !p.variants[1].includes('Map6'));
  for (const v of p.variants) {
    assert.equal((v.match(/\{/g) ?? []).length, (v.match(/\}/g) ?? []).length, 'braces balance in each variant');
    assert.equal(v.indexOf('MpInit'), text.indexOf('MpInit'));
  }
});

test('nested conditionals: a dead inner #if 0 and the outer #else', () => {
  const text = '#ifdef A\n#if 0\nint x;\n#endif\nint y;\n#else\nint z;\n#endif\n';
  const p = prepare(text);
  assert.deepEqual(p.variants.map(words), [
    ['int', 'y'],
    ['int', 'z'],
  ]);
});

test('nested conditionals: a live inner #if without #else stays with its outer branch', () => {
  const text = '#ifdef A\nint a;\n#if DBG\nint dbg;\n#endif\n#else\nint b;\n#endif\n';
  const p = prepare(text);
  assert.deepEqual(p.variants.map(words), [
    ['int', 'a', 'int', 'dbg'],
    ['int', 'b'],
  ]);
});

test('an unterminated #if / #else runs to the end of the text', () => {
  const p = prepare('#ifdef A\nint a;\n#else\nint b;\nint c;\n');
  assert.deepEqual(p.variants.map(words), [
    ['int', 'a'],
    ['int', 'b', 'int', 'c'],
  ]);
});

test('an unterminated #if 0 drops everything after it', () => {
  const p = prepare('int before;\n#if 0\nint a;\nint b;\n');
  assert.deepEqual(p.variants.map(words), [['int', 'before']]);
});

test('a stray #else or #endif without #if does not drop code', () => {
  const p = prepare('int a;\n#endif\nint b;\n#else\nint c;\n');
  assert.deepEqual(p.variants.map(words), [['int', 'a', 'int', 'b', 'int', 'c']]);
});

test('text without annotations or directives is returned as is', () => {
  const text = 'int f(int a)\r\n{\r\n    return a;\r\n}\r\n';
  const p = prepare(text);
  assert.deepEqual(p.variants, [text]);
  assert.deepEqual(p.functionClass, []);
});

test('blankRanges: overlapping and unsorted ranges blank their union, line breaks kept', () => {
  const text = 'abcdef\r\nghij';
  assert.equal(
    blankRanges(text, [
      [7, 10],
      [1, 3],
      [2, 5],
    ]),
    'a    f\r\n  ij',
  );
  assert.equal(blankRanges(text, []), text);
  // A range longer than any run of spaces made so far, over CR, LF and CRLF line ends.
  const long = `${'x'.repeat(700)}\r${'y'.repeat(300)}\n\r\nz`;
  assert.equal(blankRanges(long, [[0, long.length - 1]]), `${' '.repeat(700)}\r${' '.repeat(300)}\n\r\nz`);
});

test('the words blanked as empty macros begin with `_` or a capital (the lexical check looks at that first)', () => {
  assert.ok(EMPTY_MACROS.size > 40);
  for (const w of EMPTY_MACROS) assert.match(w, /^[A-Z_]/, w);
  const p = prepare('VOID NTAPI F(IN PVOID a, OUT PULONG b OPTIONAL, __in PVOID c)\n{\n}\n');
  assert.equal(p.variants[0], 'VOID       F(   PVOID a,     PULONG b         ,      PVOID c)\n{\n}\n');
});

test('storage macros in front of a declaration’s type become spaces; a type and its name stay', () => {
  // Shapes of the DDK's ISDN samples (`DBG_STATIC`: empty in a debug build, `static` in a free one),
  // ReactOS dc21x4 (`DC_PG_DATA`) and the Xframe II HAL (`__HAL_STATIC_DEVICE __HAL_INLINE_DEVICE`).
  const text = [
    'DBG_STATIC ULONG                    g_CardInstanceCounter       // @globalv',
    '// Keeps track of how many cards are created.',
    '                                = 0;',
    'DBG_STATIC PARAM_TABLE g_CardParameters[] = { 0 };',
    'static DC_PG_DATA UCHAR SRompLeaf[] = { 1 };',
    'DBG_STATIC NDIS_HANDLE g_A, g_B;',
    'DBG_STATIC void CardDestroyObjects(PCARD_OBJECT pCard);',
    '__HAL_STATIC_DEVICE __HAL_INLINE_DEVICE xge_hal_status_e',
    'xge_hal_handle_interrupt(xge_hal_device_t *hldev, u64 *reason);',
    // Left alone: two words (a type and its name), a call's arguments, a type word after a qualifier.
    'NDIS_HANDLE g_NdisWrapperHandle = NULL;',
    'VOID F(PCARD_OBJECT pCard, ULONG n);',
    'ULONG const Limit = 4;',
    '',
  ].join('\n');
  const w: string[] = words(prepare(text).variants[0]);
  for (const gone of ['DBG_STATIC', 'DC_PG_DATA', '__HAL_STATIC_DEVICE', '__HAL_INLINE_DEVICE'])
    assert.ok(!w.includes(gone), `${gone} blanked`);
  for (const kept of [
    'ULONG',
    'g_CardInstanceCounter',
    'PARAM_TABLE',
    'UCHAR',
    'NDIS_HANDLE',
    'g_NdisWrapperHandle',
    'PCARD_OBJECT',
    'xge_hal_status_e',
    'Limit',
  ])
    assert.ok(w.includes(kept), `${kept} kept`);
});
