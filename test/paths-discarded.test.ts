/**
 * Values nothing reads do not split a path. A cleanup routine's ASSERTs (a
 * project macro, `if (!(x)) { DbgPrint("%s", #x); DbgBreakPoint(); }`) and a
 * comparison handed to a function the walk does not enter have values no
 * later step reads; each split every path in two, so a routine with eight of
 * them was walked 256 times per arrival and ran initialize past its step
 * budget. What they read through is still learned, and the result is the one
 * the routine without them gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathAnalyzer } from '../src/engine/paths.js';
import { lexBytes, parseMacroBodies } from '../src/engine/filefacts.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import type { Expr, Stmt } from '../src/engine/ast.js';
import { initShape, initWithSteps } from './support/init-walks.js';
import { functionNamed, programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

const pack = loadRulePack();
const mapping = pack.resources[Object.keys(pack.resources)[0]];

const PREAMBLE = `
#include <ndis.h>
#define REGS_LEN 0x100
#define IsQueueEmpty(Q) ((Q)->Head == NULL)
#define ASSERT(x) if (!(x)) { \\
    DbgPrint("Assertion failed: %s:%d %s\\n", __FILE__, __LINE__, #x); \\
    DbgBreakPoint(); }
typedef struct _QUEUE { PVOID Head; } QUEUE;
typedef struct _ADAPTER {
    NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa;
    QUEUE Q0; QUEUE Q1; QUEUE Q2; QUEUE Q3; QUEUE Q4; QUEUE Q5; QUEUE Q6; QUEUE Q7;
} ADAPTER, *PADAPTER;
VOID Trace(BOOLEAN b);
`;

/** A cleanup routine with `n` statements made by `line`, before it unmaps. */
function cleanup(n: number, line: (i: number) => string): string {
  // On one line, so initialize's lines (where leaks are reported) do not move with `n`.
  const lines = Array.from({ length: n }, (_, i) => line(i));
  return `VOID Cleanup(PADAPTER a)
{
    ${lines.join(' ')}
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}`;
}

/** Initialize with three failing steps to that cleanup (the second leaks): its result and steps. */
function analyse(n: number, line: (i: number) => string, preamble = PREAMBLE): { shape: string; steps: number } {
  const program = programOf({ 'mp.c': initWithSteps(preamble, cleanup(n, line), 3, 1) });
  const analyzer = new PathAnalyzer(program, mapping, new Set(program.functions), false);
  const shape = initShape(analyzer.analyzeInit(functionNamed(program, 'MpInit')));
  return { shape, steps: analyzer.steps };
}

/** The leaks (`site@file:line:column`) the analysis of `MpInit` in `src` finds. */
function leaksOf(src: string): string[] {
  const program = programOf({ 'mp.c': src });
  const analyzer = new PathAnalyzer(program, mapping, new Set(program.functions), false);
  return (JSON.parse(initShape(analyzer.analyzeInit(functionNamed(program, 'MpInit')))) as { leaks: string[] }).leaks;
}

/** The WDK's ASSERT (`rules/wdk-macros.json`), where the project defines none; a queue macro that assigns in its test. */
const WDK_PREAMBLE = PREAMBLE.replace(/#define ASSERT[^]*?DbgBreakPoint\(\); \}\n/, '').replace(
  'VOID Trace(BOOLEAN b);',
  `VOID Trace(BOOLEAN b);
#define Q_DEL_TAIL(h, l) do { if (((l) = (h)->Head) == NULL) { (l) = NULL; break; } (h)->Head = NULL; } while (0)`,
);

const SHAPES: [string, (i: number) => string, string?][] = [
  ['an ASSERT of a macro that reads', (i) => `ASSERT(IsQueueEmpty(&a->Q${String(i)}));`],
  ['a comparison handed to a function not walked', (i) => `Trace(a->Q${String(i)}.Head == NULL);`],
  ['a read-only macro handed to one', (i) => `Trace(IsQueueEmpty(&a->Q${String(i)}));`],
  [
    'the WDK ASSERT of a test and a read-only call',
    (i) => `ASSERT(a->Q${String(i)}.Head && IsListEmpty((PLIST_ENTRY)&a->Q${String(i)}));`,
    WDK_PREAMBLE,
  ],
  ['a test macro used as a statement', (i) => `IsQueueEmpty(&a->Q${String(i)});`],
  ['a statement macro whose test assigns', (i) => `{ PVOID l; Q_DEL_TAIL(&a->Q${String(i)}, l); }`, WDK_PREAMBLE],
  ['a test stored where nothing tests it', (i) => `{ BOOLEAN e; e = (a->Q${String(i)}.Head == NULL); }`],
];

test('the WDK preamble has no ASSERT of its own and has the queue macro', () => {
  assert.ok(!WDK_PREAMBLE.includes('#define ASSERT') && WDK_PREAMBLE.includes('Q_DEL_TAIL'));
});

for (const [what, line, preamble] of SHAPES)
  test(`${what}: each adds the same few steps, and the result is the routine's without them`, () => {
    const none = analyse(0, line, preamble);
    const four = analyse(4, line, preamble);
    const eight = analyse(8, line, preamble);
    assert.equal(four.shape, none.shape);
    assert.equal(eight.shape, none.shape);
    assert.equal((JSON.parse(none.shape) as { leaks: string[] }).leaks.length, 1, none.shape);
    // Linear: the second four cost what the first four did (a split per statement doubles them).
    assert.equal(
      eight.steps - four.steps,
      four.steps - none.steps,
      `${String(none.steps)} ${String(four.steps)} ${String(eight.steps)}`,
    );
    assert.ok(eight.steps < 4 * none.steps, `${String(eight.steps)} steps against ${String(none.steps)} without them`);
  });

test('a read through in a discarded comparison is still learned: the pointer is not NULL after it', () => {
  const text = (trace: string) => `${PREAMBLE}
QUEUE *GetQueue(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    QUEUE *q = GetQueue(a);
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    ${trace}
    if (q == NULL) return NDIS_STATUS_FAILURE;
    return NDIS_STATUS_SUCCESS;
}`;

  // Without the read, the NULL test can fail initialize with the mapping held.
  assert.equal(leaksOf(text('')).length, 1);
  assert.deepEqual(leaksOf(text('Trace(q->Head == NULL);')), []);
  assert.deepEqual(leaksOf(text('Trace(IsQueueEmpty(q));')), []);
});

/** Initialize mapping, storing a test of the status in `ok`, and leaving by `exit` (what reads `ok`). */
function storedTest(store: string, exit: string): string[] {
  const text = `${PREAMBLE}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    BOOLEAN ok;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    ${store}
    ${exit}
    return NDIS_STATUS_SUCCESS;
}`;
  return leaksOf(text);
}

for (const [store, failed] of [
  ['ok = (s == NDIS_STATUS_SUCCESS);', '!ok'],
  ['ok = (s != NDIS_STATUS_SUCCESS);', 'ok'],
  ['ok = NT_SUCCESS(s);', 'ok == FALSE'],
  ['ok = NT_ERROR(s);', 'ok'],
  // A negation of an unknown is its mirror, decided with it.
  ['ok = !s;', '!ok'],
  ['ok = !!s;', 'ok'],
])
  test(`a test of the status stored and read later: \`${store}\` decides the mapping where \`${failed}\` is read`, () => {
    // `ok` says the mapping failed: returning failure there leaks nothing (a false alarm before).
    assert.deepEqual(storedTest(store, `if (${failed}) return NDIS_STATUS_FAILURE;`), []);
    // `ok` says it succeeded: returning failure there leaks the mapping.
    assert.equal(storedTest(store, `if (!(${failed})) return NDIS_STATUS_FAILURE;`).length, 1);
  });

test('a stored test that splits the path is its decision: the leak is reported at the jump after it, as for the `if`', () => {
  const text = (test: string) => `${PREAMBLE}
NDIS_STATUS Step(PADAPTER a);
NDIS_STATUS Later(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    BOOLEAN ok;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Step(a);
    ${test}
    s = Later(a);
    return s;
fail:
    return s;
}`;

  const direct = leaksOf(text('if (s != NDIS_STATUS_SUCCESS) goto fail;'));
  // Reported at the goto (line 25), where the path can only fail from then on.
  assert.ok(
    direct.some((l) => l.includes('mp.c:25:')),
    direct.join(', '),
  );
  assert.deepEqual(leaksOf(text('ok = (s == NDIS_STATUS_SUCCESS); if (!ok) goto fail;')).map(line), direct.map(line));
  assert.deepEqual(
    leaksOf(text('{ BOOLEAN failed = !!(s != NDIS_STATUS_SUCCESS); if (failed) goto fail; }')).map(line),
    direct.map(line),
  );
  // The shape of a helper that maps and leaves through one exit that tests the status again
  // (aw1689-ethmini's HWInitialize): reported at the helper's goto, whichever way the tests are written.
  const helper = (test: (i: number) => string) => `${PREAMBLE}
NDIS_STATUS HwInit(PADAPTER a);
VOID FreeHw(PADAPTER a);
NDIS_STATUS Setup(PADAPTER a, NDIS_HANDLE h)
{
    NDIS_STATUS s;
    do {
        s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
        ${test(0)} goto Exit;
        s = HwInit(a);
        ${test(1)} goto Exit;
    } while (FALSE);
Exit:
    ${test(2)} { FreeHw(a); }
    return s;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = Setup(a, h);
    if (s != NDIS_STATUS_SUCCESS) return s;
    return NDIS_STATUS_SUCCESS;
}`;
  const plain = leaksOf(helper(() => 'if (s != NDIS_STATUS_SUCCESS)'));
  assert.ok(plain.length > 0 && plain.every((l) => l.includes('mp.c:24:')), plain.join(', '));
  const stored = leaksOf(helper((i) => `BOOLEAN f${String(i)} = !!(s != NDIS_STATUS_SUCCESS); if (f${String(i)})`));
  assert.deepEqual(stored.map(line), plain.map(line));
});

/** A leak's place without its column (the rewritten forms put the jump further along the line). */
const line = (leak: string) => leak.replace(/:\d+$/, '');

test('a stored order of values the path knows is that order: `ok = (n < 1)` with `n` zero is true', () => {
  const leaks = storedTest('ULONG n = 0; ok = (n < 1);', 'if (!ok) return NDIS_STATUS_FAILURE;');
  assert.deepEqual(leaks, []);
});

test('a guard copied into a local and tested there decides as the guard itself does', () => {
  const text = (guard: string) => `${PREAMBLE}
NDIS_STATUS Step(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->Q0.Head = NULL;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    a->Q0.Head = a;
    s = Step(a);
    if (s != NDIS_STATUS_SUCCESS) goto fail;
    return NDIS_STATUS_SUCCESS;
fail:
    ${guard}
    return s;
}`;

  const unmap = 'NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);';
  assert.deepEqual(leaksOf(text(`if (a->Q0.Head) ${unmap}`)), []);
  assert.deepEqual(leaksOf(text(`{ PVOID g = a->Q0.Head; if (g) ${unmap} }`)), []);
  assert.deepEqual(leaksOf(text(`{ PVOID g; PVOID h2; g = a->Q0.Head; h2 = g; if (h2) ${unmap} }`)), []);
});

function findCall(s: Stmt, name: string): Extract<Expr, { t: 'call' }> | undefined {
  let found: Extract<Expr, { t: 'call' }> | undefined;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    const e = x as Expr;
    if (e.t === 'call' && e.f.t === 'id' && e.f.n === name) {
      found = e;
      return;
    }
    for (const y of Object.values(x)) visit(y);
  };
  visit(s);
  return found;
}

test('a macro body: `#x` is a string literal, not the argument; other uses of the parameter are', () => {
  const lex = lexBytes(Buffer.from(`${PREAMBLE}\n#define CHECK(x, y) Report(#x, x, # y, y)\n`)).lex;
  const bodies = parseMacroBodies(lex);
  const assertBody = defined(bodies.find((b) => b.name === 'ASSERT')).body;
  const print = defined(findCall(assertBody, 'DbgPrint'));
  assert.deepEqual(
    print.a.map((a) => a.t),
    ['lit', 'id', 'id', 'lit'],
  );
  const report = defined(findCall(defined(bodies.find((b) => b.name === 'CHECK')).body, 'Report'));
  assert.deepEqual(
    report.a.map((a) => (a.t === 'id' ? a.n : a.t)),
    ['lit', 'x', 'lit', 'y'],
  );
});
