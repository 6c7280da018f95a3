/**
 * Resource names: an lvalue is named by the struct type and field path of
 * its storage, following typedefs and field types, with array elements
 * folded into one resource.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr, Stmt } from '../src/engine/ast.js';
import { KeyMaker, displayKey, sameResource, stripCasts, type TypeEnv, type VarType } from '../src/engine/keys.js';
import { Program, walkExprs } from '../src/engine/program.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

const HEADER = `
typedef struct _BAR { PVOID Va; ULONG Len; } BAR, *PBAR;
typedef struct _ALPHA {
    NDIS_HANDLE H;
    PVOID Regs;
    PVOID Windows[4];
    BAR Bars[6];
    struct _INNER { PVOID Q; } Inner;
    PBAR Current;
} ALPHA, *PALPHA;
typedef ALPHA *PALPHA2;
typedef struct _BETA { PVOID Regs; } BETA, *PBETA;
`;

/** Each function's parameters and top-level locals, and the left sides of its assignments in order. */
function lvalues(program: Program, fnName: string, frame = `${fnName}#1`): { env: TypeEnv; lhs: Expr[] } {
  const fn = defined(program.functions.find((f) => f.name === fnName));
  assert.ok(fn, `function ${fnName} parsed`);
  const vars = new Map<string, VarType>();
  for (const p of fn.params) vars.set(p.n, { ty: p.ty, ptr: p.ptr });
  const body = fn.body as Extract<Stmt, { k: 'blk' }>;
  for (const s of body.b) if (s.k === 'decl') for (const d of s.d) vars.set(d.n, { ty: d.ty, ptr: d.ptr });
  const lhs: Expr[] = [];
  walkExprs(fn.body, (e) => {
    if (e.t === 'asg') lhs.push(e.l);
  });
  return { env: { frame, vars }, lhs };
}

/** Keys of the assignment targets of `fnName`, in order. */
function keysIn(files: Record<string, string>, fnName: string): string[] {
  const program = programOf(files);
  const { env, lhs } = lvalues(program, fnName);
  const km = new KeyMaker(program);
  return lhs.map((e) => km.key(e, env) ?? '<none>');
}

test('a->Regs with PALPHA a is ALPHA.Regs', () => {
  assert.deepEqual(keysIn({ 'a.h': HEADER, 'a.c': 'VOID F(PALPHA a) { a->Regs = 0; }\n' }, 'F'), ['ALPHA.Regs']);
});

test('the same storage reads the same through a struct variable, a tag pointer, (*p) and a pointer typedef of a typedef', () => {
  const keys = keysIn(
    {
      'a.h': HEADER,
      'a.c':
        'VOID F(ALPHA s, struct _ALPHA *t, PALPHA p, PALPHA2 q) { s.Regs = 0; t->Regs = 0; (*p).Regs = 0; q->Regs = 0; }\n',
    },
    'F',
  );
  assert.deepEqual(keys, ['ALPHA.Regs', 'ALPHA.Regs', 'ALPHA.Regs', 'ALPHA.Regs']);
});

test('a field of another struct type is another resource', () => {
  const keys = keysIn({ 'a.h': HEADER, 'a.c': 'VOID F(PALPHA a, PBETA b) { a->Regs = 0; b->Regs = 0; }\n' }, 'F');
  assert.deepEqual(keys, ['ALPHA.Regs', 'BETA.Regs']);
  assert.equal(sameResource(keys[0], keys[1]), false);
});

test('array elements of a struct-typed field fold to one resource named by the element type', () => {
  const keys = keysIn(
    {
      'a.h': HEADER,
      'a.c': 'VOID F(PALPHA a, ULONG i) { a->Bars[i].Va = 0; a->Bars[0].Va = 0; a->Bars[5].Len = 0; }\n',
    },
    'F',
  );
  assert.deepEqual(keys, ['BAR.Va', 'BAR.Va', 'BAR.Len']);
});

test('array elements of a plain field fold to one resource', () => {
  const keys = keysIn(
    { 'a.h': HEADER, 'a.c': 'VOID F(PALPHA a, ULONG i) { a->Windows[i] = 0; a->Windows[3] = 0; }\n' },
    'F',
  );
  assert.equal(keys[0], keys[1]);
  assert.ok(keys[0].startsWith('ALPHA.Windows'), keys[0]);
});

test('field types are followed through nested structs and pointer fields', () => {
  const keys = keysIn({ 'a.h': HEADER, 'a.c': 'VOID F(PALPHA a) { a->Inner.Q = 0; a->Current->Va = 0; }\n' }, 'F');
  assert.deepEqual(keys, ['INNER.Q', 'BAR.Va']);
});

test('a field the struct does not declare keeps the path from the last known type', () => {
  assert.deepEqual(keysIn({ 'a.h': HEADER, 'a.c': 'VOID F(PALPHA a) { a->Missing = 0; a->Regs2.X = 0; }\n' }, 'F'), [
    'ALPHA.Missing',
    'ALPHA.Regs2.X',
  ]);
});

test('an unknown base type gives ?.Field', () => {
  const keys = keysIn(
    { 'a.h': HEADER, 'a.c': 'VOID F(PVOID v) { undeclared->Regs = 0; GetAlpha()->Regs = 0; }\n' },
    'F',
  );
  assert.deepEqual(keys, ['?.Regs', '?.Regs']);
});

test('casts around the whole lvalue are ignored', () => {
  const program = programOf({ 'a.h': HEADER });
  const env: TypeEnv = { frame: 'F#1', vars: new Map([['a', { ty: 'PALPHA', ptr: 0 }]]) };
  const regs: Expr = { t: 'fld', o: { t: 'id', n: 'a' }, f: 'Regs', ar: true };
  const km = new KeyMaker(program);
  assert.equal(km.key({ t: 'cast', ty: 'PVOID', e: { t: 'cast', ty: 'ULONG_PTR', e: regs } }, env), 'ALPHA.Regs');
});

test('a global struct variable is named by its type', () => {
  const keys = keysIn(
    {
      'a.h': HEADER,
      'g.c': 'ALPHA gAlpha;\nPALPHA gpAlpha;\n',
      'a.c': 'VOID F(VOID) { gAlpha.Regs = 0; gpAlpha->Regs = 0; }\n',
    },
    'F',
  );
  assert.deepEqual(keys, ['ALPHA.Regs', 'ALPHA.Regs']);
});

test('plain variables: locals are keyed by frame, other names as globals', () => {
  const keys = keysIn({ 'a.h': HEADER, 'a.c': 'VOID F(PVOID p) { PVOID local; local = 0; p = 0; gVa = 0; }\n' }, 'F');
  assert.deepEqual(keys, ['F#1:local', 'F#1:p', 'G:gVa']);
});

test("*p names what p points to; a pointer bound to a caller's &x names x", () => {
  const program = programOf({ 'a.h': HEADER });
  const km = new KeyMaker(program);
  const deref: Expr = { t: 'un', op: '*', e: { t: 'id', n: 'pp' } };
  const env: TypeEnv = { frame: 'G#2', vars: new Map([['pp', { ty: 'PVOID', ptr: 1 }]]) };
  assert.equal(km.key(deref, env), '*G#2:pp');
  const bound: TypeEnv = { ...env, pointees: new Map([['pp', 'ALPHA.Regs']]) };
  assert.equal(km.key(deref, bound), 'ALPHA.Regs');
});

test('expressions that name no storage have no key', () => {
  const program = programOf({ 'a.h': HEADER });
  const km = new KeyMaker(program);
  const env: TypeEnv = { frame: 'F#1', vars: new Map() };
  assert.equal(km.key({ t: 'num', v: '0' }, env), undefined);
  assert.equal(km.key({ t: 'call', f: { t: 'id', n: 'f' }, a: [], p: [1, 1, 1, 4] }, env), undefined);
  assert.equal(km.key({ t: 'bin', op: '+', l: { t: 'id', n: 'a' }, r: { t: 'num', v: '1' } }, env), undefined);
});

test('canonicalType follows typedefs to the struct tag; displayType drops leading underscores', () => {
  const km = new KeyMaker(programOf({ 'a.h': HEADER }));
  assert.equal(km.canonicalType('PALPHA2'), '_ALPHA');
  assert.equal(km.canonicalType('PALPHA'), '_ALPHA');
  assert.equal(km.canonicalType('ULONG'), 'ULONG');
  assert.equal(km.displayType('__ALPHA'), 'ALPHA');
  assert.equal(km.displayType('ALPHA'), 'ALPHA');
  assert.equal(km.displayType('_'), '_');
});

test('canonicalType stops on a typedef cycle', () => {
  const km = new KeyMaker(programOf({ 'a.h': 'typedef B A;\ntypedef A B;\n' }));
  assert.ok(['A', 'B'].includes(km.canonicalType('A')));
});

test('stripCasts removes nested casts only', () => {
  const inner: Expr = { t: 'id', n: 'x' };
  assert.equal(stripCasts({ t: 'cast', ty: 'PVOID', e: { t: 'cast', ty: 'ULONG_PTR', e: inner } }), inner);
  const neg: Expr = { t: 'un', op: '-', e: inner };
  assert.equal(stripCasts(neg), neg);
});

test('sameResource: equal keys, and an unknown type matches the same field path', () => {
  assert.equal(sameResource('ALPHA.Regs', 'ALPHA.Regs'), true);
  assert.equal(sameResource('?.Regs', 'ALPHA.Regs'), true);
  assert.equal(sameResource('BAR.Va', '?.Va'), true);
});

test('sameResource: different types, different fields, locals are different storage', () => {
  assert.equal(sameResource('ALPHA.Regs', 'BETA.Regs'), false);
  assert.equal(sameResource('?.Regs', 'ALPHA.Regs2'), false);
  assert.equal(sameResource('?.Inner.Q', 'ALPHA.Q'), false);
  assert.equal(sameResource('F#1:a', 'F#2:a'), false);
  assert.equal(sameResource('G:Regs', '?.Regs'), false);
});

test('displayKey: globals and locals read as their names, fields as they are', () => {
  assert.equal(displayKey('G:gAdapter'), 'gAdapter');
  assert.equal(displayKey('MpInit#3:a'), 'a');
  assert.equal(displayKey('ALPHA.Regs'), 'ALPHA.Regs');
  assert.equal(displayKey('?.Regs'), '?.Regs');
});
