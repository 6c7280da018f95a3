/** Lexical facts of a file: identifiers, #define macros, typedefs and struct field types. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../src/engine/lexer.js';
import { lexFacts, parseDefine, stripComments, type LexFacts } from '../src/engine/lexfacts.js';
import { lineOf, lineStarts } from '../src/engine/text.js';
import { scanBody } from '../src/engine/lexscan.js';
import { parseBytes } from '../src/engine/filefacts.js';

function facts(text: string): LexFacts {
  const starts = lineStarts(text);
  return lexFacts(text, tokenize(text), (o) => lineOf(starts, o));
}

test('identifiers of code are listed once each', () => {
  const f = facts('int f(int a) { return a + g(a); }\n');
  assert.deepEqual([...f.idents].sort(), ['a', 'f', 'g', 'int', 'return']);
});

test('identifiers in comments and strings are not listed', () => {
  const f = facts('/* in_comment */ int x = h("in_string"); // in_line_comment\n');
  assert.deepEqual([...f.idents].sort(), ['h', 'int', 'x']);
});

test('names used in directives are listed, but not those in their comments', () => {
  const f = facts('#define MAP_IT NdisMMapIoSpace /* not_me */\n#ifdef USE_MSI // nor_me\n#endif\n');
  for (const n of ['MAP_IT', 'NdisMMapIoSpace', 'USE_MSI']) assert.ok(f.idents.includes(n), n);
  for (const n of ['not_me', 'nor_me']) assert.ok(!f.idents.includes(n), n);
});

test('an object-like #define: name, null params, body, line', () => {
  const f = facts('int x;\n#define REGS_LEN 0x100 /* bytes */\n');
  assert.deepEqual(f.macros, [{ name: 'REGS_LEN', params: null, body: '0x100', line: 2 }]);
});

test('an object-like #define whose body starts with a parenthesis is not function-like', () => {
  const f = facts('#define LEN (4 * 64)\n');
  assert.deepEqual(f.macros, [{ name: 'LEN', params: null, body: '(4 * 64)', line: 1 }]);
});

test('a function-like #define: parameters and body', () => {
  const f = facts('#define MAP(a, len) NdisMMapIoSpace(&(a)->Regs, (a)->H, (a)->Pa, len)\n');
  assert.equal(f.macros.length, 1);
  assert.deepEqual(f.macros[0].params, ['a', 'len']);
  assert.equal(f.macros[0].body, 'NdisMMapIoSpace(&(a)->Regs, (a)->H, (a)->Pa, len)');
});

test('a do { } while (0) macro over continuation lines is one macro with the lines joined', () => {
  const text = [
    'int before;',
    '#define UNMAP(a) \\',
    '    do { \\',
    '        NdisMUnmapIoSpace((a)->H, (a)->Regs, 0x100); /* unmap */ \\',
    '        (a)->Regs = NULL; \\',
    '    } while (0)',
    'int after;',
    '',
  ].join('\r\n');
  const f = facts(text);
  assert.deepEqual(f.macros, [
    {
      name: 'UNMAP',
      params: ['a'],
      body: 'do { NdisMUnmapIoSpace((a)->H, (a)->Regs, 0x100); (a)->Regs = NULL; } while (0)',
      line: 2,
    },
  ]);
  assert.ok(f.idents.includes('after'), 'the line after the macro is code again');
});

test('directives other than #define make no macro', () => {
  assert.deepEqual(facts('#include <ndis.h>\n#ifdef X\n#endif\n#pragma once\n').macros, []);
});

test('parseDefine: a variadic macro and an empty one', () => {
  assert.deepEqual(parseDefine('#  define  TRACE(...)  DbgPrint(__VA_ARGS__)'), {
    name: 'TRACE',
    params: ['...'],
    body: 'DbgPrint(__VA_ARGS__)',
  });
  assert.deepEqual(parseDefine('#define EMPTY'), { name: 'EMPTY', params: null, body: '' });
  assert.deepEqual(parseDefine('#define NOARGS() f()'), { name: 'NOARGS', params: [], body: 'f()' });
});

test('parseDefine: not a #define gives null', () => {
  assert.equal(parseDefine('#include <ndis.h>'), null);
  assert.equal(parseDefine('#undef X'), null);
  assert.equal(parseDefine('#define'), null);
});

test('stripComments removes block and line comments', () => {
  assert.equal(stripComments('a /* b */ c // d').replace(/\s+/g, ' ').trim(), 'a c');
});

test('typedef struct _A { ... } A, *PA: both names lead to the tag, fields recorded', () => {
  const f = facts('typedef struct _A { NDIS_HANDLE H; PVOID Regs; } A, *PA;\n');
  assert.deepEqual(f.typedefs, { A: '_A', PA: '_A' });
  assert.deepEqual(f.structs, { _A: { H: 'NDIS_HANDLE', Regs: 'PVOID' } });
});

test('typedef A *PA2 names the typedef it points to', () => {
  const f = facts('typedef struct _A { int x; } A;\ntypedef A *PA2;\n');
  assert.equal(f.typedefs.PA2, 'A');
  assert.equal(f.typedefs.A, '_A');
});

test('struct X { ... } typedef X_T: the storage class after the body names the tag (gplpv xennet.h)', () => {
  const f = facts('struct xi { PVOID virtual; ULONG n; } typedef xi_t, *pxi_t;\nstruct other { int a; } o;\n');
  assert.deepEqual(f.typedefs, { xi_t: 'xi', pxi_t: 'xi' });
  assert.deepEqual(f.structs.xi, { virtual: 'PVOID', n: 'ULONG' });
});

test('typedef of a forward-declared struct', () => {
  assert.deepEqual(facts('typedef struct _FWD FWD, *PFWD;\n').typedefs, { FWD: '_FWD', PFWD: '_FWD' });
});

test('typedef of a basic type skips unsigned and const', () => {
  assert.deepEqual(facts('typedef unsigned long ULONG;\ntypedef const char *PCSTR;\n').typedefs, {
    ULONG: 'long',
    PCSTR: 'char',
  });
});

test('typedef of a function pointer names the pointer type, not its parameters', () => {
  const f = facts('typedef VOID (*PFN)(int a, PVOID b);\n');
  assert.deepEqual(Object.keys(f.typedefs), ['PFN']);
  for (const n of ['a', 'b', 'int', 'PVOID']) assert.ok(!(n in f.typedefs), `${n} is not a typedef`);
  assert.deepEqual(f.structs, {});
});

test('typedef of a function type names the function type', () => {
  const f = facts('typedef NDIS_STATUS MINIPORT_PAUSE(NDIS_HANDLE c, PVOID p);\n');
  assert.deepEqual(Object.keys(f.typedefs), ['MINIPORT_PAUSE']);
});

test('a struct without typedef records its fields under its tag', () => {
  const f = facts('struct _PLAIN { int a; PVOID p; };\nstruct _PLAIN *g;\n');
  assert.deepEqual(f.structs, { _PLAIN: { a: 'int', p: 'PVOID' } });
  assert.deepEqual(f.typedefs, {});
});

test('struct fields: arrays, several declarators, qualifiers, bit fields, pointers', () => {
  const f = facts(
    [
      'typedef struct _BAR { PVOID Va; } BAR;',
      'typedef struct _A {',
      '    PVOID Regs[4];',
      '    BAR Bars[6];',
      '    struct _BAR Extra;',
      '    ULONG a, b;',
      '    unsigned int Flags : 3;',
      '    const PVOID Ro;',
      '    volatile ULONG *Reg32;',
      '} A;',
      '',
    ].join('\n'),
  );
  assert.deepEqual(f.structs._A, {
    Regs: 'PVOID',
    Bars: 'BAR',
    Extra: '_BAR',
    a: 'ULONG',
    b: 'ULONG',
    Flags: 'int',
    Ro: 'PVOID',
    Reg32: 'ULONG',
  });
});

test('fields of an anonymous union belong to the enclosing struct', () => {
  const f = facts('typedef struct _A { union { PVOID Va; ULONG_PTR Addr; }; ULONG After; } A;\n');
  assert.deepEqual(f.structs._A, { Va: 'PVOID', Addr: 'ULONG_PTR', After: 'ULONG' });
});

test('a named member of an unnamed union is one field; its inner fields are not hoisted', () => {
  const f = facts('typedef struct _A { union { PVOID P; ULONG L; } u; ULONG After; } A;\n');
  assert.ok('u' in f.structs._A);
  assert.ok(!('P' in f.structs._A) && !('L' in f.structs._A));
  assert.equal(f.structs._A.After, 'ULONG');
});

test('a nested tagged struct is recorded under its own tag and typed by it', () => {
  const f = facts('typedef struct _A { struct _INNER { PVOID Q; } Inner; int z; } A;\n');
  assert.deepEqual(f.structs._INNER, { Q: 'PVOID' });
  assert.equal(f.structs._A.Inner, '_INNER');
  assert.equal(f.structs._A.z, 'int');
  assert.ok(!('Q' in f.structs._A));
});

test('several structs in one file each get their own field table', () => {
  const f = facts('struct _S { int a; };\nstruct _S2 { int b; };\n');
  assert.deepEqual(f.structs, { _S: { a: 'int' }, _S2: { b: 'int' } });
});

test('CRLF and Latin-1 comments do not disturb typedefs', () => {
  const f = facts('/* caf\u00e9 */\r\ntypedef struct _A {\r\n    PVOID Regs; /* r\u00e9gistres */\r\n} A, *PA;\r\n');
  assert.deepEqual(f.typedefs, { A: '_A', PA: '_A' });
  assert.deepEqual(f.structs._A, { Regs: 'PVOID' });
});

test('an anonymous enum or struct is named by its first plain declarator, not by where it is', () => {
  const text = 'typedef enum { EvA, EvB } EVENT_CODE, *PEVENT_CODE;\ntypedef struct { int a; } PAIR, *PPAIR;\n';
  const here = facts(text);
  assert.deepEqual(here.typedefs, { PEVENT_CODE: 'EVENT_CODE', PPAIR: 'PAIR' });
  assert.deepEqual(here.structs, { PAIR: { a: 'int' } });
  // Lines above move every offset: the names (and so the link signature of cache keys) stay.
  const moved = facts(`/* a comment */\n\n${text}`);
  assert.deepEqual(moved.typedefs, here.typedefs);
  assert.deepEqual(moved.structs, here.structs);
  // With pointer declarators alone there is no name to take: it keeps its place as its name.
  assert.match(facts('typedef enum { EvC } *PONLY;\n').typedefs.PONLY, /^<anon@\d+>$/);
});

test('a field assigned by `c ? A : B` stores either name, in the token scan and in the full parse', () => {
  const text = [
    'VOID NicSet(PNIC a)',
    '{',
    '    a->Rx = a->Safe ? RxSafe : RxFast;',
    '    a->Tx = (a->Safe) ? (TxSafe) : (PVOID)TxFast;',
    '    a->Ms = (Ms);',
    '    a->No = a->Safe ? Pick(a) : RxFast;',
    '    a->Cast = (PVOID) Plain;',
    '}',
    '',
  ].join('\n');
  const toks = tokenize(text);
  const starts = lineStarts(text);
  const body = scanBody(text, toks, 0, text.length, 'NicSet', (o) => lineOf(starts, o));
  const expected = [
    ['Rx', 'RxSafe'],
    ['Rx', 'RxFast'],
    ['Tx', 'TxSafe'],
    ['Tx', 'TxFast'],
    ['Ms', 'Ms'],
    ['No', 'RxFast'],
    ['Cast', 'Plain'],
  ];
  assert.deepEqual(
    body.assigns.map((a) => [a.field, a.value]),
    expected,
  );
  assert.deepEqual(
    parseBytes(Buffer.from(text)).assigns.map((a) => [a.field, a.value]),
    expected,
  );
});

test('an enumeration constant without a value is the last given value plus how many came after it', () => {
  const f = facts('typedef enum _T { A, B, C = 7, D, E = X | 1, F } T;\nint x;\n');
  assert.deepEqual(f.enums, { A: '0', B: '1', C: '7', D: '1+(7)', E: 'X | 1', F: '1+(X | 1)' });
});
