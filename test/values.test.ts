/** Integer literals, #define constants expanded through a Program, and the truth of status names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from '../src/engine/ast.js';
import { tokenize } from '../src/engine/lexer.js';
import { lexFacts } from '../src/engine/lexfacts.js';
import { Program } from '../src/engine/program.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { lineOf, lineStarts } from '../src/engine/text.js';
import { constantTruth, integerValue, parseInteger } from '../src/engine/values.js';

function lex(text: string) {
  const starts = lineStarts(text);
  return lexFacts(text, tokenize(text), (o) => lineOf(starts, o));
}

function programOf(files: Record<string, string>): Program {
  return new Program(
    Object.entries(files).map(([path, text]) => ({ path, lex: lex(text) })),
    loadRulePack().roles,
  );
}

const HEADER = [
  '#define A 0x100',
  '#define B (A * 2)',
  '#define C ((ULONG)B + 1)',
  '#define D (1 << 4) | 1',
  '#define NEG -1',
  '#define SUB 10 - 2 - 3',
  '#define PREC 1 + 2 * 3',
  '#define LONGS 1ULL + 0x10UL + 10ui64',
  '#define DIV0 (1 / 0)',
  '#define SELF SELF',
  '#define PING PONG',
  '#define PONG PING',
  '#define FN(x) (x)',
  '#define STR "abc"',
  '#define ZERO 0',
  '#define SEVEN 7',
  '#define UNDEF_REF (MISSING + 1)',
  '',
].join('\n');
const program = programOf({ 'a.h': HEADER });
const value = (name: string, p = program, from = 'a.h') => integerValue({ t: 'id', n: name }, p, from);
const num = (v: string): Expr => ({ t: 'num', v });

test('parseInteger: decimal, hexadecimal, octal and binary', () => {
  assert.equal(parseInteger('256'), 256n);
  assert.equal(parseInteger('0x100'), 256n);
  assert.equal(parseInteger('0X1f'), 31n);
  assert.equal(parseInteger('0400'), 256n);
  assert.equal(parseInteger('0b101'), 5n);
  assert.equal(parseInteger('0'), 0n);
});

test('parseInteger: U, L, UL, LU, LL, ULL and i64 suffixes', () => {
  const cases: [string, bigint][] = [
    ['256u', 256n],
    ['256U', 256n],
    ['10L', 10n],
    ['10UL', 10n],
    ['1lu', 1n],
    ['100LL', 100n],
    ['1ULL', 1n],
    ['0x10ull', 16n],
    ['7i64', 7n],
    ['5ui64', 5n],
    ['9I64', 9n],
    ['0xFFUL', 255n],
  ];
  for (const [text, v] of cases) assert.equal(parseInteger(text), v, text);
});

test('parseInteger: 64-bit values are exact', () => {
  assert.equal(parseInteger('0xFFFFFFFFFFFFFFFF'), 18446744073709551615n);
});

test('parseInteger: floats, words and broken literals are not integers', () => {
  for (const text of ['1.5', '1e3', '0x', 'abc', '', '-1', '0x1G', '12abc'])
    assert.equal(parseInteger(text), undefined, text);
});

test('integerValue: a literal', () => {
  assert.equal(integerValue(num('0x20'), program, 'a.h'), 32n);
});

test('integerValue: an object-like macro, and macros of macros', () => {
  assert.equal(value('A'), 256n);
  assert.equal(value('B'), 512n);
});

test('integerValue: a cast inside a macro body is skipped', () => {
  assert.equal(value('C'), 513n);
});

test('integerValue: shifts, or, unary minus, suffixed literals', () => {
  assert.equal(value('D'), 17n);
  assert.equal(value('NEG'), -1n);
  assert.equal(value('LONGS'), 1n + 16n + 10n);
});

test('integerValue: subtraction associates left and * binds tighter than +', () => {
  assert.equal(value('SUB'), 5n);
  assert.equal(value('PREC'), 7n);
});

test('integerValue: division by zero is not a constant', () => {
  assert.equal(value('DIV0'), undefined);
  assert.equal(integerValue({ t: 'bin', op: '%', l: num('1'), r: num('0') }, program, 'a.h'), undefined);
});

test('integerValue: self-referential and mutually recursive macros end as unknown', () => {
  assert.equal(value('SELF'), undefined);
  assert.equal(value('PING'), undefined);
});

test('integerValue: strings, function-like macros, unknown names are not constants', () => {
  assert.equal(value('STR'), undefined);
  assert.equal(value('FN'), undefined);
  assert.equal(value('NOT_DEFINED'), undefined);
  assert.equal(value('UNDEF_REF'), undefined);
});

test('integerValue: expressions of the syntax tree', () => {
  const id = (n: string): Expr => ({ t: 'id', n });
  assert.equal(integerValue({ t: 'bin', op: '+', l: num('1'), r: id('A') }, program, 'a.h'), 257n);
  assert.equal(
    integerValue({ t: 'bin', op: '*', l: id('SEVEN'), r: { t: 'cast', ty: 'ULONG', e: num('3') } }, program, 'a.h'),
    21n,
  );
  assert.equal(integerValue({ t: 'un', op: '-', e: id('A') }, program, 'a.h'), -256n);
  assert.equal(integerValue({ t: 'un', op: '~', e: num('0') }, program, 'a.h'), -1n);
  assert.equal(integerValue({ t: 'un', op: '!', e: id('ZERO') }, program, 'a.h'), 1n);
  assert.equal(integerValue({ t: 'un', op: '!', e: id('SEVEN') }, program, 'a.h'), 0n);
});

test('integerValue: calls, sizeof and unknown operators are not constants', () => {
  assert.equal(integerValue({ t: 'call', f: { t: 'id', n: 'f' }, a: [], p: [1, 1, 1, 2] }, program, 'a.h'), undefined);
  assert.equal(integerValue({ t: 'sizeof' }, program, 'a.h'), undefined);
  assert.equal(integerValue({ t: 'bin', op: '<', l: num('1'), r: num('2') }, program, 'a.h'), undefined);
  assert.equal(integerValue({ t: 'un', op: '*', e: num('1') }, program, 'a.h'), undefined);
});

test('integerValue: a macro defined in two drivers takes the nearest definition', () => {
  const p = programOf({ 'drvA/hw.h': '#define LEN 0x100\n', 'drvB/hw.h': '#define LEN 0x200\n' });
  assert.equal(value('LEN', p, 'drvA/init.c'), 0x100n);
  assert.equal(value('LEN', p, 'drvB/init.c'), 0x200n);
});

test("integerValue: names in a macro body are looked up from the macro's own file", () => {
  const p = programOf({
    'drvA/hw.h': '#define BASE 0x10\n#define LEN (BASE * 2)\n',
    'drvB/hw.h': '#define BASE 0x40\n',
  });
  assert.equal(value('LEN', p, 'drvA/init.c'), 0x20n);
});

test('constantTruth: success words are zero, TRUE is nonzero', () => {
  for (const n of ['NDIS_STATUS_SUCCESS', 'STATUS_SUCCESS', 'NULL', 'FALSE'])
    assert.equal(constantTruth(n, program, 'a.h'), 'Z', n);
  assert.equal(constantTruth('TRUE', program, 'a.h'), 'NZ');
});

test('constantTruth: failure statuses are nonzero, pending is neither', () => {
  for (const n of ['NDIS_STATUS_FAILURE', 'NDIS_STATUS_RESOURCES', 'STATUS_INSUFFICIENT_RESOURCES'])
    assert.equal(constantTruth(n, program, 'a.h'), 'NZ', n);
  assert.equal(constantTruth('NDIS_STATUS_PENDING', program, 'a.h'), undefined);
  assert.equal(constantTruth('STATUS_PENDING', program, 'a.h'), undefined);
});

test('constantTruth: #define constants by their value; unknown names stay unknown', () => {
  assert.equal(constantTruth('ZERO', program, 'a.h'), 'Z');
  assert.equal(constantTruth('SEVEN', program, 'a.h'), 'NZ');
  assert.equal(constantTruth('NOT_DEFINED', program, 'a.h'), undefined);
  assert.equal(constantTruth('STR', program, 'a.h'), undefined);
});
