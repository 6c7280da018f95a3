/**
 * Statements nothing after a helper's call reads (`pathdead.ts`): in that calling context the
 * helper's walk goes past them. Each shape is analysed going past them and walking them; the two
 * results must be the same. Where what a statement writes is read after the call (by the caller,
 * or by the rest of a helper that called it), it is walked, and going past it would be a false
 * alarm.
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
    NDIS_HANDLE H; PVOID Regs; PVOID Spare; NDIS_PHYSICAL_ADDRESS Pa;
    PVOID Buf0; PVOID Buf1; PVOID Buf2; PVOID Buf3; PVOID Buf4; PVOID Buf5;
    PVOID RxPkts; ULONG NumRx;
} ADAPTER, *PADAPTER;
PVOID AllocBuf(PADAPTER a);
VOID FreeBuf(PVOID b);
`;

/** The analysis going past what nothing after a call reads, and walking it, with each one's steps. */
function both(text: string): { past: string; walked: string; stepsPast: number; stepsWalked: number } {
  const r = againstReference(text, mapping, (a) => a.walkDead());
  return { past: r.shape, walked: r.reference, stepsPast: r.steps, stepsWalked: r.referenceSteps };
}

/** Six buffers allocated one after another, each checked where it is stored (initialize tests them). */
const allocating = (i: number) =>
  `    a->Buf${String(i)} = AllocBuf(a);\n    s = a->Buf${String(i)} ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;`;

test('a cleanup routine’s tests of what initialize allocated are gone past where nothing reads them after: the same leaks, fewer steps', () => {
  const frees = [0, 1, 2, 3, 4, 5].map(
    (i) => `    if (a->Buf${String(i)}) { FreeBuf(a->Buf${String(i)}); a->Buf${String(i)} = NULL; }`,
  );
  const cleanup = `VOID Cleanup(PADAPTER a)
{
${frees.join('\n')}
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWithSteps(ADAPTER, cleanup, 6, 3, { step: allocating }));
  assert.equal(r.past, r.walked);
  assert.match(r.past, /a->Regs@mp\.c:/, 'the early return leaks the mapping');
  assert.match(r.past, /"complete":true/);
  // Each failing step reaches the routine with one more buffer allocated: walked, each arrival is
  // walked again and splits on every buffer's test; gone past, one walk serves all.
  assert.ok(
    r.stepsPast * 2 < r.stepsWalked,
    `steps going past ${String(r.stepsPast)}, walking ${String(r.stepsWalked)}`,
  );
});

// The helpers below release the mapping on one way (`NumRx == 0`), so the walk steps into them (a helper
// that can change nothing held is an opaque call, whose writes are forgotten).
test('what the cleanup writes and initialize tests after the call is walked: no false alarm', () => {
  const cleanup = `VOID Cleanup(PADAPTER a)
{
    if (a->RxPkts) { NdisFreeMemory(a->RxPkts, a->NumRx, 0); a->RxPkts = NULL; }
    if (a->NumRx == 0) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(
    initWithSteps(ADAPTER, cleanup, 3, -1, {
      afterCleanup: '    if (a->RxPkts == NULL && a->NumRx != 0) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);',
    }),
  );
  assert.equal(r.past, r.walked);
  // Gone past, `RxPkts` would keep its unknown value, and the way that skips the unmap would leak.
  assert.match(r.past, /"leaks":\[\]/, 'every failing way releases the mapping');
});

test('what a helper writes and the helper that called it tests after the call is walked', () => {
  const cleanup = `VOID FreeRx(PADAPTER a)
{
    if (a->RxPkts) { NdisFreeMemory(a->RxPkts, a->NumRx, 0); a->RxPkts = NULL; }
    if (a->NumRx == 0) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}
VOID Cleanup(PADAPTER a)
{
    FreeRx(a);
    if (a->RxPkts == NULL && a->NumRx != 0) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}`;
  const r = both(initWithSteps(ADAPTER, cleanup, 3, -1));
  assert.equal(r.past, r.walked);
  assert.match(r.past, /"leaks":\[\]/, 'every failing way releases the mapping');
});
