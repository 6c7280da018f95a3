/**
 * Debug prints are `if`s (`DBG_FILTER(A, M, S)` is `{ if ((A) && ((A)->DbgFlags & M)) DbgPrint S; }`),
 * dozens on one path of a real initialize. The walk goes past one without splitting where its
 * outcome cannot change the state (`pathinert.ts`), and still learns what its test reads through.
 * These cases pin both halves: the findings are the ones a split walk gives, and an `if` that can
 * change the state (an address handed over, a helper that unmaps) is still split on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTexts, driverEntry } from './support/ruleTester.js';

const HEAD = `#include <ndis.h>
#define REGS_LEN 0x100
#define DBG_TRACE 0x0001
#define DBG_FILTER(A, M, S) { if ((A) && ((A)->DbgFlags & (M))) { DbgPrint("%s: ", (A)->Name); DbgPrint S; } }
typedef struct _CONFIG { ULONG DbgFlags; PCHAR Name; ULONG Mode; } CONFIG, *PCONFIG;
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; PCONFIG Cfg; ULONG DbgFlags; PCHAR Name; } ADAPTER, *PADAPTER;
PCONFIG GetConfig(NDIS_HANDLE h);
NDIS_STATUS Probe(PADAPTER a);
VOID QueryStatus(NDIS_STATUS *s);
`;

const lineOf = (text: string, mark: string) => text.split('\n').findIndex((l) => l.includes(mark)) + 1;
const found = (r: { findings: { line: number; rule: string }[] }) =>
  r.findings.map((f) => `${String(f.line)} ${f.rule}`).sort();

/** `n` debug prints around each failure check of an initialize that leaks on its last check only. */
function printing(n: number): string {
  const prints = (tag: string) =>
    Array.from(
      { length: n },
      (_, i) => `    DBG_FILTER(a, ${String(1 << (i % 16))}, ("${tag} ${String(i)}\\n"));`,
    ).join('\n');
  return `${HEAD}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
${prints('map')}
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
${prints('probe')}
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) { NdisMUnmapIoSpace(h, a->Regs, REGS_LEN); return s; }
${prints('again')}
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) return s; /* LEAK */
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
}

for (const n of [1, 40]) {
  test(`${String(n)} debug print(s) around each check: complete, and only the one leak`, async () => {
    const text = printing(n);
    const r = await scanTexts({ 'mp.c': text });
    assert.equal(r.complete, true, JSON.stringify(r.notices));
    assert.deepEqual(found(r), [`${String(lineOf(text, '/* LEAK */'))} ndis/unmap-on-failure`]);
  });
}

/** A print whose test reads through `cfg` (or, guarded, only when `cfg` is not NULL); then a NULL test of `cfg`. */
function readsThrough(test: string): string {
  return `${HEAD}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    PCONFIG cfg = GetConfig(h);
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (${test}) DbgPrint("mapped\\n");
    if (cfg == NULL) return NDIS_STATUS_FAILURE; /* NULL */
    a->Cfg = cfg;
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
}

test("a print's test that reads through a pointer still teaches that it is not NULL: no phantom leak", async () => {
  const r = await scanTexts({ 'mp.c': readsThrough('cfg->DbgFlags & DBG_TRACE') });
  assert.deepEqual(found(r), []);
});

test('a print whose test reads through a pointer only when it is not NULL teaches nothing: the leak stays', async () => {
  const text = readsThrough('cfg && (cfg->DbgFlags & DBG_TRACE)');
  const r = await scanTexts({ 'mp.c': text });
  assert.deepEqual(found(r), [`${String(lineOf(text, '/* NULL */'))} ndis/unmap-on-failure`]);
});

test('an `if` that hands an address to an unknown function is split on: what it may write is forgotten', async () => {
  const text = `${HEAD}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (a->DbgFlags & DBG_TRACE) QueryStatus(&s);
    if (s != NDIS_STATUS_SUCCESS) return s; /* LEAK */
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
  const r = await scanTexts({ 'mp.c': text });
  assert.deepEqual(found(r), [`${String(lineOf(text, '/* LEAK */'))} ndis/unmap-on-failure`]);
});

test('an `if` whose arm calls a helper of the driver is split on: the helper may release', async () => {
  const text = `${HEAD}
VOID Unmap(PADAPTER a) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) {
        if (a->DbgFlags & DBG_TRACE) Unmap(a);
        return s; /* LEAK */
    }
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
  const r = await scanTexts({ 'mp.c': text });
  assert.deepEqual(found(r), [`${String(lineOf(text, '/* LEAK */'))} ndis/unmap-on-failure`]);
});
