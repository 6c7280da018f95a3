/**
 * The project's own macros: expanded as C does where a region does not parse
 * as written, positions kept, budgets held, and caches keyed by the
 * definitions used.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandRegion, ExpansionBudget, PositionMap, type MacroDefinition } from '../src/engine/expand.js';
import { FactCache } from '../src/engine/cache.js';
import { scan } from '../src/engine/scan.js';
import { ADAPTER, driverEntry } from './support/ruleTester.js';

const table = (defs: Record<string, [string[] | null, string]>) =>
  new Map<string, MacroDefinition>(
    Object.entries(defs).map(([name, [params, body]]) => [name, { name, params, body }]),
  );

const expandAll = (text: string, defs: Record<string, [string[] | null, string]>) =>
  expandRegion(text, 0, text.length, table(defs)).text.replace(/\s+/g, ' ').trim();

test('expansion follows C: arguments expanded first, # and ##, no re-expansion of a macro inside itself', () => {
  assert.equal(expandAll('MAP(a)', { MAP: [['x'], 'MAP(x)'] }), 'MAP(a)');
  assert.equal(expandAll('TWICE(ONE)', { TWICE: [['x'], 'x + x'], ONE: [null, '1'] }), '1 + 1');
  assert.equal(expandAll('STR(a b)', { STR: [['x'], '#x'] }), '"a b"');
  assert.equal(expandAll('CAT(Nic, Free)(p)', { CAT: [['a', 'b'], 'a ## b'] }), 'NicFree (p)');
  assert.equal(
    expandAll('TRACE_ONLY(if (d->Id == 0) d->Id = 1);', { TRACE_ONLY: [['_s'], '_s'] }),
    'if (d->Id == 0) d->Id = 1 ;',
  );
  assert.equal(expandAll('LOG("x", 1, 2)', { LOG: [['f', '...'], 'Print(f, __VA_ARGS__)'] }), 'Print("x", 1, 2)');
  // A use without its argument list is no use of a function-like macro.
  assert.equal(expandAll('p = CHECK;', { CHECK: [['x'], 'if (x) {}'] }), 'p = CHECK;');
});

test('a doubling macro chain or a deep chain stops at the budget, never hangs', () => {
  const doubling: Record<string, [string[] | null, string]> = { E0: [['x'], 'x'] };
  for (let i = 1; i <= 21; i++) doubling[`E${String(i)}`] = [['x'], `E${String(i - 1)}(x) + E${String(i - 1)}(x)`];
  assert.throws(() => expandRegion('E21(1);', 0, 7, table(doubling)), ExpansionBudget);
  const chain: Record<string, [string[] | null, string]> = { M0: [null, '0'] };
  for (let i = 1; i <= 1000; i++) chain[`M${String(i)}`] = [null, `M${String(i - 1)}`];
  assert.throws(() => expandRegion('x = M1000;', 0, 10, table(chain)), ExpansionBudget);
});

test('positions map back: copied text to itself, generated text to the macro use', () => {
  const text = 'a; CHECK(p)\nb;';
  const e = expandRegion(text, 0, text.length, table({ CHECK: [['x'], 'if (!(x)) Bug();'] }));
  const map = new PositionMap(e);
  assert.equal(map.source(e.text.indexOf('a;')), 0);
  assert.equal(map.source(e.text.indexOf('Bug')), text.indexOf('CHECK'));
  assert.equal(map.source(e.text.indexOf('Bug') + 3, true), text.indexOf('\n'));
  assert.equal(map.source(e.text.indexOf('b;')), text.indexOf('b;'));
});

const header = (body: string) => `#define LEAVE_IF(c) ${body}\n`;
const initFile = `#include "m.h"
${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS Status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (Status != NDIS_STATUS_SUCCESS) return Status;
    Status = Probe(a);
    LEAVE_IF(Status != NDIS_STATUS_SUCCESS)
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;

test('a statement macro with no `;` reads as its expansion; the finding sits at the macro use', async () => {
  const r = await scan({
    root: 'm',
    files: [
      { path: 'm.h', bytes: Buffer.from(header('if (c) return Status;')) },
      { path: 'init.c', bytes: Buffer.from(initFile) },
    ],
    workers: 0,
  });
  const line = initFile.split('\n').findIndex((l) => l.includes('LEAVE_IF(')) + 1;
  assert.deepEqual(
    r.findings.map((f) => `${f.path}:${String(f.line)} ${f.rule}`),
    [`init.c:${String(line)} ndis/unmap-on-failure`],
  );
  assert.equal(r.complete, true, JSON.stringify(r.notices));
});

test('a macro changed in a header re-parses the files that use it: a warm scan equals a cold one', async () => {
  const files = (body: string) => [
    { path: 'm.h', bytes: Buffer.from(header(body)) },
    { path: 'init.c', bytes: Buffer.from(initFile) },
  ];
  const leaking = 'if (c) return Status;';
  const releasing = 'if (c) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); return Status; }';
  const cache = new FactCache();
  await scan({ root: 'm', files: files(leaking), cache, workers: 0 });
  const warm = await scan({ root: 'm', files: files(releasing), cache, workers: 0 });
  const cold = await scan({ root: 'm', files: files(releasing), workers: 0 });
  assert.deepEqual(warm.findings, cold.findings);
  assert.deepEqual(cold.findings, []);
});

test("a function definition is kept when another build's stub macro has its name", () => {
  // `#ifdef FEATURE ... BOOLEAN RegisterCb(PADAPTER A) { ... } #else #define RegisterCb(A) TRUE`: the
  // macro table reads both branches; expanding the definition's head would lose the function (and
  // every callback it registers). Uses inside function bodies are still expanded.
  const defs: Record<string, [string[] | null, string]> = { RegisterCb: [['A'], 'TRUE'] };
  const text = 'BOOLEAN\nRegisterCb(\n    PADAPTER A)\n/* comment */\n{\n    return RegisterCb(A);\n}\n';
  assert.equal(expandAll(text, defs), 'BOOLEAN RegisterCb( PADAPTER A) /* comment */ { return TRUE ; }');
  // A macro that generates a function head (no type before it) is still expanded.
  assert.equal(
    expandAll('HANDLER(Foo) { x(); }', { HANDLER: [['n'], 'VOID n(PVOID c)'] }),
    'VOID Foo(PVOID c) { x(); }',
  );
});
