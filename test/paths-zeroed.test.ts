/**
 * Zeroed memory (`pathzero.ts`): a driver that zeroes its adapter and then
 * tests a field or flag bit its path never set has decided that test. The
 * shape is ReactOS dc21x4's: the adapter is zeroed through an untyped
 * pointer, aligned by a macro, and the cleanup picks unmap or deregister by
 * a flag bit only the memory-mapped arm sets. The controls keep the
 * findings a zeroing must not hide: a flag the path did set, a field a
 * helper may write, a block zeroed before it is reallocated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTexts, driverEntry } from './support/ruleTester.js';

const HEAD = `#include <ndis.h>
#define IO_LENGTH 0x80
#define FLAG_IO_MAPPED 0x0001
#define FLAG_IRQ_SHARED 0x0004
#define ALIGN_UP_POINTER_BY(p, a) ((PVOID)(((ULONG_PTR)(p) + (a) - 1) & ~((ULONG_PTR)(a) - 1)))
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID IoBase; ULONG Port; ULONG Flags; ULONG Mode; } ADAPTER, *PADAPTER;
NDIS_STATUS ReadEeprom(PADAPTER a);
VOID SetFlags(PADAPTER a);
`;

const lineOf = (text: string, mark: string) => text.split('\n').findIndex((l) => l.includes(mark)) + 1;
const found = (r: { findings: { line: number; rule: string }[] }) =>
  r.findings.map((f) => `${String(f.line)} ${f.rule}`).sort();

/** dc21x4's initialize; `zero` is the zeroing statement, `between` runs after the port is registered. */
function driver(zero: string, between = '', shared = ''): string {
  return `${HEAD}
VOID FreeAdapter(PADAPTER a)
{
    if (a->IoBase) {
        if (a->Flags & FLAG_IO_MAPPED) NdisMUnmapIoSpace(a->H, a->IoBase, IO_LENGTH);
        else NdisMDeregisterIoPortRange(a->H, a->Port, IO_LENGTH, a->IoBase);
    }
    NdisFreeMemory(a, sizeof(*a), 0);
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PVOID unaligned;
    PADAPTER a;
    NDIS_STATUS s;
    ULONG size = sizeof(ADAPTER) + 16;
    s = NdisAllocateMemoryWithTag(&unaligned, size, 'xxxx');
    if (s != NDIS_STATUS_SUCCESS) return NDIS_STATUS_RESOURCES;
    ${zero}
    a = ALIGN_UP_POINTER_BY(unaligned, 16);
    a->H = h;
${shared}
    s = NdisMRegisterIoPortRange(&a->IoBase, h, a->Port, IO_LENGTH);
    if (s != NDIS_STATUS_SUCCESS) goto Failure;
${between}
    s = ReadEeprom(a);
    if (s != NDIS_STATUS_SUCCESS) goto Failure; /* CHECK */
    return NDIS_STATUS_SUCCESS;
Failure:
    FreeAdapter(a);
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeAdapter((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`;
}

const PORTS = ['ndis/ioport-range'];

test('an adapter zeroed through an untyped pointer: the cleanup deregisters, nothing reported', async () => {
  const r = await scanTexts({ 'mp.c': driver('NdisZeroMemory(unaligned, size);') }, PORTS);
  assert.equal(r.complete, true, JSON.stringify(r.notices));
  assert.deepEqual(found(r), []);
});

test('memset with a zero fill zeroes too; a bit set in the word keeps the others zero', async () => {
  const text = driver('memset(unaligned, 0, size);', '', '    a->Flags |= FLAG_IRQ_SHARED;');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.deepEqual(found(r), []);
});

test('without the zeroing the flag is unknown: the unmap arm leaks the port range (as before)', async () => {
  const text = driver('/* not zeroed */');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.ok(found(r).includes(`${String(lineOf(text, '/* CHECK */'))} ndis/ioport-range`), found(r).join(', '));
});

test('the path sets the flag it later tests: the unmap arm runs and the leak is reported', async () => {
  const text = driver('NdisZeroMemory(unaligned, size);', '    a->Flags |= FLAG_IO_MAPPED;');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.ok(found(r).includes(`${String(lineOf(text, '/* CHECK */'))} ndis/ioport-range`), found(r).join(', '));
});

test('a helper that may write the word after the zeroing makes its bits unknown again', async () => {
  const helper = `VOID SetFlags(PADAPTER a) { a->Flags = a->Mode; }\n`;
  const text = helper + driver('NdisZeroMemory(unaligned, size);', '    SetFlags(a);');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.ok(found(r).includes(`${String(lineOf(text, '/* CHECK */'))} ndis/ioport-range`), found(r).join(', '));
});

for (const again of ['unaligned = AllocAgain(size);', "NdisAllocateMemoryWithTag(&unaligned, size, 'yyyy');"])
  test(`a pointer zeroed, then given another block (${again}), no longer points to zeroed memory`, async () => {
    const text = driver(`NdisZeroMemory(unaligned, size); ${again}`);
    const r = await scanTexts({ 'mp.c': `PVOID AllocAgain(ULONG n);\n${text}` }, PORTS);
    assert.ok(
      found(r).some((f) => f.endsWith('ndis/ioport-range')),
      found(r).join(', '),
    );
  });

/** A helper the walk does not step into, which sets a bit of the word with a mask. */
const setter = (bit: string) => `VOID SetFlags(PADAPTER a) { a->Flags |= ${bit}; a->Mode = 1; }\n`;

test('a helper that only sets another bit keeps the tested bit zero: nothing reported', async () => {
  const text = setter('FLAG_IRQ_SHARED') + driver('NdisZeroMemory(unaligned, size);', '    SetFlags(a);');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.deepEqual(found(r), []);
});

test('a helper that may set the tested bit: the unmap arm runs and the leak is reported', async () => {
  const text =
    setter('(FLAG_IRQ_SHARED | FLAG_IO_MAPPED)') + driver('NdisZeroMemory(unaligned, size);', '    SetFlags(a);');
  const r = await scanTexts({ 'mp.c': text }, PORTS);
  assert.ok(found(r).includes(`${String(lineOf(text, '/* CHECK */'))} ndis/ioport-range`), found(r).join(', '));
});
