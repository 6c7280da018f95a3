/**
 * Regression tests: engine bugs found while writing the unit tests, each
 * fixed; every test states the expected behaviour on the input that failed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from '../src/engine/ast.js';
import { KeyMaker, displayKey, sameResource, type TypeEnv } from '../src/engine/keys.js';
import { Tok, tokenize } from '../src/engine/lexer.js';
import { lexFacts, type LexFacts } from '../src/engine/lexfacts.js';
import { prepareSource } from '../src/engine/preprocess.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { Program } from '../src/engine/program.js';
import { lineOf, lineStarts } from '../src/engine/text.js';
import { integerValue } from '../src/engine/values.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

function facts(text: string): LexFacts {
  const starts = lineStarts(text);
  return lexFacts(text, tokenize(text), (o) => lineOf(starts, o));
}

const fld = (o: Expr, f: string): Expr => ({ t: 'fld', o, f, ar: true });
const id = (n: string): Expr => ({ t: 'id', n });

test('lexer: "/*" inside a string in a directive does not open a comment', () => {
  const text = '#define ALL_FILES "/*"\nint f(void) { return 0; }\n';
  const t = tokenize(text);
  assert.equal(t.kind[0], Tok.Directive);
  assert.equal(text.slice(t.start[0], t.end[0]), '#define ALL_FILES "/*"', 'the directive ends at its line end');
  assert.ok(facts(text).idents.includes('f'), 'the function after it is code');
});

test('lexfacts: "//" inside a string in a #define is not a comment', () => {
  const f = facts('#define VENDOR_URL "http://vendor.example"\n');
  assert.equal(f.macros[0].body, '"http://vendor.example"');
});

test('preprocess: the #else of an #if nested in an outer #if branch is in some variant', () => {
  const text = [
    '#ifdef NDIS60',
    '#ifdef MSI',
    'void MapRegs(void) { MapMsi(); }',
    '#else',
    'void MapRegs(void) { MapLine(); }',
    '#endif',
    '#else',
    'void MapRegs5(void) { }',
    '#endif',
    '',
  ].join('\n');
  const { variants } = prepareSource(text, tokenize(text));
  assert.ok(
    variants.some((v) => v.includes('MapMsi();')),
    'the inner #if branch is analysed',
  );
  assert.ok(
    variants.some((v) => v.includes('MapLine();')),
    'the inner #else branch is analysed',
  );
  assert.ok(
    variants.some((v) => v.includes('MapRegs5')),
    'the outer #else branch is analysed',
  );
});

test('lexfacts: a function pointer typedef with a calling convention names the pointer type', () => {
  const f = facts('typedef VOID (NTAPI *PFN_CALLBACK)(PVOID Context);\n');
  assert.ok('PFN_CALLBACK' in f.typedefs, 'PFN_CALLBACK is a typedef');
  assert.ok(!('NTAPI' in f.typedefs), 'NTAPI is not a typedef');
});

test("lexfacts: a function pointer field is recorded by its own name, not its parameter's", () => {
  const f = facts('typedef struct _A {\n    PBAR Bar;\n    VOID (*Notify)(PVOID Bar);\n} A;\n');
  assert.equal(f.structs._A.Bar, 'PBAR', 'the parameter name does not overwrite the field Bar');
  assert.ok('Notify' in f.structs._A, 'the field Notify is recorded');
});

test('values: a hexadecimal #define with an i64 suffix is a constant', () => {
  const p = new Program(
    [{ path: 'a.h', lex: facts('#define BIG 0x10i64\n#define BIGU 0x10ui64\n') }],
    loadRulePack().roles,
  );
  assert.equal(integerValue(id('BIG'), p, 'a.h'), 16n);
  assert.equal(integerValue(id('BIGU'), p, 'a.h'), 16n);
});

test('values: an enumeration constant without a value counts on from the one before', () => {
  const names = Array.from({ length: 40 }, (_, i) => `E${String(i)}`);
  const text = `typedef enum _T { A, B, C, D = 7, E, ${names.join(', ')} } T;\n`;
  const p = new Program([{ path: 'a.h', lex: facts(text) }], loadRulePack().roles);
  // The third was read as `(B)+1`, a cast of `+1`: 1, the second's value; and a long enumeration
  // must not be read constant by constant past the reading's depth.
  assert.deepEqual(
    ['A', 'B', 'C', 'D', 'E', 'E39'].map((n) => integerValue(id(n), p, 'a.h')),
    [0n, 1n, 2n, 7n, 8n, 48n],
  );
});

test('keys: a field reached through a cast base is named by the cast type', () => {
  const p = programOf({ 'a.h': 'typedef struct _ALPHA { PVOID Regs; } ALPHA, *PALPHA;\n' });
  const km = new KeyMaker(p);
  const env: TypeEnv = {
    frame: 'MpInit#1',
    vars: new Map([
      ['Ctx', { ty: 'NDIS_HANDLE', ptr: 0 }],
      ['a', { ty: 'PALPHA', ptr: 0 }],
    ]),
  };
  // ((PALPHA)Ctx)->Regs, as extract.ts gives it
  const viaCast = fld({ t: 'cast', ty: 'PALPHA', e: id('Ctx') }, 'Regs');
  assert.equal(km.key(viaCast, env), 'ALPHA.Regs');
  assert.ok(sameResource(defined(km.key(viaCast, env)), defined(km.key(fld(id('a'), 'Regs'), env))));
});

test('keys: two anonymous typedef structs in two headers are different resources', () => {
  const p = programOf({
    'x/x.h': 'typedef struct { PVOID Regs; } XA, *PXA;\n',
    'y/y.h': 'typedef struct { PVOID Regs; } YA, *PYA;\n',
  });
  const km = new KeyMaker(p);
  const env: TypeEnv = {
    frame: 'F#1',
    vars: new Map([
      ['x', { ty: 'PXA', ptr: 0 }],
      ['y', { ty: 'PYA', ptr: 0 }],
    ]),
  };
  const kx = defined(km.key(fld(id('x'), 'Regs'), env));
  const ky = defined(km.key(fld(id('y'), 'Regs'), env));
  assert.notEqual(kx, ky);
  assert.equal(sameResource(kx, ky), false);
});

test('keys: a field of an anonymous typedef struct is named by the typedef', () => {
  const p = programOf({ 'a.h': '/* adapter */\ntypedef struct { PVOID Regs; } ADAPTER, *PADAPTER;\n' });
  const km = new KeyMaker(p);
  const env: TypeEnv = { frame: 'F#1', vars: new Map([['a', { ty: 'PADAPTER', ptr: 0 }]]) };
  assert.equal(km.key(fld(id('a'), 'Regs'), env), 'ADAPTER.Regs');
});

test('keys: displayKey keeps the dereference and drops the G: of a global behind it', () => {
  assert.equal(displayKey('*G:gRegs'), '*gRegs');
  assert.equal(displayKey('*MpInit#3:p'), '*p');
});

test('program: a macro from a header calls the static function of the file that uses it', () => {
  const p = programOf({
    'drv/hw.h': '#define HW_RESET(a) HwResetStatic(a)\n',
    'drv/mp.c': '#include "hw.h"\nstatic VOID HwResetStatic(PVOID a) { }\nVOID MpReset(PVOID a) { HW_RESET(a); }\n',
  });
  const fn = defined(p.functions.find((f) => f.name === 'MpReset'));
  assert.deepEqual(
    p.callees(fn).map((e) => `${e.callee.file}:${e.callee.name}`),
    ['drv/mp.c:HwResetStatic'],
  );
});

test('program: a callback handed over as (TYPE)&F keeps its role', () => {
  const src = [
    'VOID Setup(NDIS_HANDLE h, PVOID ctx)',
    '{',
    '    NdisMInitializeTimer(&t, h, (PNDIS_TIMER_FUNCTION)&MpTick, ctx);',
    '    c.HaltHandlerEx = (PMINIPORT_HALT)&MpHalt;',
    '}',
    'VOID MpTick(PVOID a, PVOID b, PVOID c, PVOID d) { }',
    'VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }',
    '',
  ].join('\n');
  const p = programOf({ 'mp.c': src });
  const rolesOf = (name: string) => p.rolesOf(defined(p.functions.find((f) => f.name === name))).map((r) => r.role);
  assert.deepEqual(rolesOf('MpTick'), ['timer']);
  assert.deepEqual(rolesOf('MpHalt'), ['halt']);
});
