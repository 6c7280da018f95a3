/**
 * Idle statements (`pathidle.ts`): an `if` or loop that changes nothing the
 * walk keeps is gone past once, not split on. Each shape is analysed twice,
 * going past idle statements and walking them, and the two results must be
 * the same; where a statement only looks idle (it writes what a later test,
 * a copy or a release reads), the result must be the one walking it gives,
 * and a wrong answer there would be a false alarm or a miss.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { againstReference, initWithSteps } from './support/init-walks.js';
import { loadRulePack } from '../src/engine/rulepack.js';

const pack = loadRulePack();
const mapping = pack.resources[Object.keys(pack.resources)[0]];

const ADAPTER = `
#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _ADAPTER {
    NDIS_HANDLE H; PVOID Regs; PVOID Spare; NDIS_PHYSICAL_ADDRESS Pa; BOOLEAN Done; BOOLEAN Fatal;
    ULONG RxVector; ULONG TxVector; NDIS_MINIPORT_INTERRUPT RxIntr; NDIS_MINIPORT_INTERRUPT TxIntr;
    PVOID RxPkts; ULONG NumRx; NDIS_HANDLE Pool; LONG Pending;
} ADAPTER, *PADAPTER;
`;

/** The analysis going past idle statements and walking them, with each one's steps. */
function both(text: string): { skipping: string; walking: string; stepsSkipping: number; stepsWalking: number } {
  const r = againstReference(text, mapping, (a) => a.walkIdle());
  return { skipping: r.shape, walking: r.reference, stepsSkipping: r.steps, stepsWalking: r.referenceSteps };
}

/** Initialize with `n` steps that can fail, each to `cleanup`; the step `leakAt` returns instead. */
function initWith(cleanup: string, n: number, leakAt: number): string {
  return initWithSteps(`${ADAPTER}\nVOID FreePackets(PVOID p, ULONG n);`, cleanup, n, leakAt);
}

/** A cleanup routine as drivers write it: interrupt vectors, packet loops, pools, then the mapping. */
const CLEANUP = `VOID Cleanup(PADAPTER a)
{
    ULONG i;
    PVOID next;
    if (a->RxVector) NdisMDeregisterInterrupt(&a->RxIntr);
    if (a->TxVector) NdisMDeregisterInterrupt(&a->TxIntr);
    next = a->RxPkts;
    for (i = 0; i < a->NumRx; i++) { FreePackets(next, 1); next = NULL; }
    if (a->RxPkts) { NdisFreeMemory(a->RxPkts, a->NumRx, 0); a->RxPkts = NULL; }
    if (a->Pool) { NdisFreePacketPool(a->Pool); a->Pool = NULL; }
    while (a->Pending > 0) a->Pending--;
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}`;

test('a cleanup routine’s idle tests and loops are gone past: the same leaks, far fewer steps', () => {
  const r = both(initWith(CLEANUP, 10, 6));
  assert.equal(r.skipping, r.walking);
  assert.match(r.skipping, /a->Regs@mp\.c:/, 'the early return leaks the mapping');
  assert.match(r.skipping, /"complete":true/);
  // Walking the routine merges its `if (p) { Free(p); p = NULL; }` arms too (`seen` in pathstate.ts),
  // so going past is a little over half the steps: 82 against 153.
  assert.ok(
    r.stepsSkipping * 1.8 < r.stepsWalking,
    `steps going past idle statements ${String(r.stepsSkipping)}, walking them ${String(r.stepsWalking)}`,
  );
});

test('an if that writes what a later test reads is walked: the leak it causes is found', () => {
  // Cleanup marks the adapter done on one way, and unmaps only when it is not done.
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    a->Done = FALSE;
    if (a->RxVector) { NdisMDeregisterInterrupt(&a->RxIntr); a->Done = TRUE; }
    if (!a->Done) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWith(cleanup, 3, -1));
  assert.equal(r.skipping, r.walking);
  // Gone past, `Done` would stay FALSE, every failure would unmap, and the leak would be missed.
  assert.match(r.skipping, /a->Regs@mp\.c:/, 'the way that sets Done leaks');
});

test('an if that copies the handle a later release reads is walked: no false alarm', () => {
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    PVOID v = NULL;
    if (a->RxVector) v = a->Regs;
    if (v) NdisMUnmapIoSpace(a->H, v, REGS_LEN);
    if (!a->RxVector) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWith(cleanup, 3, -1));
  assert.equal(r.skipping, r.walking);
  // Gone past, `v` would stay NULL, and the way with a vector would look like a leak.
  assert.match(r.skipping, /"leaks":\[\]/, 'every failing way releases the mapping');
});

test('an if that points a local at other storage (an alias) the release reads is walked', () => {
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    PVOID *slot = &a->Spare;
    if (a->RxVector) slot = &a->Regs;
    if (*slot) NdisMUnmapIoSpace(a->H, *slot, REGS_LEN);
    if (!a->RxVector) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWith(cleanup, 3, -1));
  assert.equal(r.skipping, r.walking);
  assert.match(r.skipping, /"leaks":\[\]/, 'every failing way releases the mapping');
});

test('a loop whose body jumps out, or an if that returns, is never idle', () => {
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    ULONG i;
    for (i = 0; i < a->NumRx; i++) { if (a->Fatal) return; FreePackets(a->RxPkts, i); }
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWith(cleanup, 3, -1));
  assert.equal(r.skipping, r.walking);
  // The way through the loop that returns early skips the unmap: a leak on every failing step.
  assert.match(r.skipping, /a->Regs@mp\.c:/);
});

test('an idle if whose test decides what is returned is split on, and its body still gone past', () => {
  const text = `${ADAPTER}
VOID FreePackets(PVOID p, ULONG n);
NDIS_STATUS Step0(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Step0(a);
    if (s != NDIS_STATUS_SUCCESS) { FreePackets(a->RxPkts, 1); a->NumRx = 0; }
    return s;
}`;
  const r = both(text);
  assert.equal(r.skipping, r.walking);
  // Gone past without the split, `return s` would not be known to fail, and the leak would be missed.
  const last = text.split('\n').findLastIndex((l) => l === '    return s;') + 1;
  assert.match(r.skipping, new RegExp(`a->Regs@mp\\.c:${String(last)}:`), 'the failing return leaks the mapping');
});

test('a deregistration of an interrupt initialize registered is idle to the mapping analysis', () => {
  // The pack's other resources make `NdisMRegisterInterrupt` a correlated acquire here (its handle,
  // `&a->RxIntr`, is non-NULL exactly where it succeeded): it writes that handle and reads nothing
  // else of it, so the cleanup's `if (a->RxVector) NdisMDeregisterInterrupt(&a->RxIntr);` writes
  // storage no test reads, and is gone past. Measured on ti-omap-emac's EmacFreeAdapter: the mapping
  // analysis took 48,886 steps with the registration read as a read of `RxIntr`, 28,251 without.
  const others = Object.values(pack.resources);
  const step = (i: number) =>
    i === 1
      ? '    s = NdisMRegisterInterrupt(&a->RxIntr, h, a->RxVector, 0, TRUE, TRUE, NdisInterruptLevelSensitive);'
      : i === 2
        ? '    s = NdisMRegisterInterrupt(&a->TxIntr, h, a->TxVector, 0, TRUE, TRUE, NdisInterruptLevelSensitive);'
        : `    s = Step${String(i)}(a);`;
  const decls = Array.from({ length: 8 }, (_, i) => `NDIS_STATUS Step${String(i)}(PADAPTER a);`).join('\n');
  const text = initWithSteps(`${ADAPTER}\nVOID FreePackets(PVOID p, ULONG n);\n${decls}`, CLEANUP, 8, 5, { step });
  const r = againstReference(text, mapping, (a) => a.walkIdle(), others);
  assert.equal(r.shape, r.reference);
  assert.match(r.shape, /a->Regs@mp\.c:/, 'the early return leaks the mapping');
  assert.match(r.shape, /"complete":true/);
  assert.ok(
    r.steps * 2 < r.referenceSteps,
    `steps going past idle statements ${String(r.steps)}, walking them ${String(r.referenceSteps)}`,
  );
});

test('a handle a correlated acquire wrote, tested after the deregistration: going past and walking agree', () => {
  // `a->RxIntr.InterruptObject` is read after the cleanup's deregistration, so the deregistration's
  // write of `RxIntr` is read and it is walked; either way the analysis must give what walking gives.
  const others = Object.values(pack.resources);
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    if (a->RxVector) NdisMDeregisterInterrupt(&a->RxIntr);
    if (a->RxIntr.InterruptObject != NULL) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const step = (i: number) =>
    i === 0
      ? '    s = NdisMRegisterInterrupt(&a->RxIntr, h, a->RxVector, 0, TRUE, TRUE, NdisInterruptLevelSensitive);'
      : `    s = Step${String(i)}(a);`;
  const decls = Array.from({ length: 3 }, (_, i) => `NDIS_STATUS Step${String(i)}(PADAPTER a);`).join('\n');
  const text = initWithSteps(`${ADAPTER}\n${decls}`, cleanup, 3, -1, { step });
  const r = againstReference(text, mapping, (a) => a.walkIdle(), others);
  const skipping = r.shape;
  assert.equal(skipping, r.reference);
  // The failed registration's own way has no interrupt object, so it skips the unmap: one leak.
  assert.match(skipping, /a->Regs@mp\.c:/);
});
