/**
 * The shape of two public ISDN miniports whose initialize ran out of its step
 * budget: every failure path calls halt, halt calls a chain of free routines,
 * and each free routine is a ladder of independent `if (x) { Free(x); x = NULL; }`
 * and `if (Lock.SpinLock) NdisFreeSpinLock(&Lock)` tests. Each ladder used to
 * leave one exit per combination of its tests, multiplying the paths of every
 * caller. Written from scratch; the ladders' length is the knob.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTexts, driverEntry } from './support/ruleTester.js';

function ladder(base: string, prefix: string, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `    if (${base}->${prefix}Buf${String(i)}) { FreeMem(${base}->${prefix}Buf${String(i)}); ${base}->${prefix}Buf${String(i)} = NULL; }`,
    );
    out.push(
      `    if (${base}->${prefix}Lock${String(i)}.SpinLock) { NdisFreeSpinLock(&${base}->${prefix}Lock${String(i)}); }`,
    );
  }
  return out.join('\n');
}

function fields(prefix: string, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`PVOID ${prefix}Buf${String(i)}; LOCK ${prefix}Lock${String(i)};`);
  return out.join(' ');
}

/** A driver whose initialize may leak on one path (`leak`) or on none. */
function driver(n: number, leak: boolean): string {
  return `#include <ndis.h>
#define REGS_LEN 0x1000
typedef struct _LOCK { KSPIN_LOCK SpinLock; KIRQL Irql; } LOCK;
typedef struct _CARD { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ${fields('C', n)} } CARD, *PCARD;
typedef struct _ADAPTER { NDIS_HANDLE H; PCARD Card; ${fields('A', n)} } ADAPTER, *PADAPTER;
VOID FreeMem(PVOID p);
PVOID AllocMem(ULONG n);

VOID CardDestroyObjects(PCARD c)
{
${ladder('c', 'C', n)}
    if (c->Regs) { NdisMUnmapIoSpace(c->H, c->Regs, REGS_LEN); c->Regs = NULL; }
}

VOID CardDestroy(PCARD c)
{
    if (c) { CardDestroyObjects(c); FreeMem(c); }
}

VOID AdapterDestroy(PADAPTER a)
{
    if (a) {
${ladder('a', 'A', n)}
        CardDestroy(a->Card);
        FreeMem(a);
    }
}

NDIS_STATUS CardCreate(PADAPTER a)
{
    PCARD c = (PCARD)AllocMem(sizeof(CARD));
    if (c == NULL) return NDIS_STATUS_RESOURCES;
    a->Card = c;
    c->H = a->H;
    if (NdisMMapIoSpace(&c->Regs, c->H, c->Pa, REGS_LEN) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_RESOURCES;
    c->CBuf0 = AllocMem(16);
    if (c->CBuf0 == NULL) return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS AdapterSetup(PADAPTER a);
NDIS_STATUS AdapterStart(PADAPTER a);

NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE ctx, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NDIS_STATUS s;
    PADAPTER a = (PADAPTER)AllocMem(sizeof(ADAPTER));
    if (a == NULL) return NDIS_STATUS_RESOURCES;
    a->H = h;
    s = CardCreate(a);
    if (s != NDIS_STATUS_SUCCESS) { AdapterDestroy(a); return s; }
    s = AdapterSetup(a);
    if (s != NDIS_STATUS_SUCCESS) { AdapterDestroy(a); return s; }
    s = AdapterStart(a);
    if (s != NDIS_STATUS_SUCCESS) {
${leak ? '        return s; /* LEAK */' : '        AdapterDestroy(a);\n        return s;'}
    }
    return NDIS_STATUS_SUCCESS;
}

VOID MpHalt(NDIS_HANDLE ctx, NDIS_HALT_ACTION x) { AdapterDestroy((PADAPTER)ctx); }
${driverEntry('MpInit', 'MpHalt')}`;
}

for (const n of [4, 12]) {
  test(`free routines with ${String(n)} independent tests each: complete, no budget, the leak found`, async () => {
    const text = driver(n, true);
    const r = await scanTexts({ 'mp.c': text });
    const leak = text.split('\n').findIndex((l) => l.includes('/* LEAK */')) + 1;
    assert.deepEqual(
      r.notices.filter((x) => x.kind === 'budget'),
      [],
    );
    assert.equal(r.complete, true, JSON.stringify(r.notices));
    assert.deepEqual(
      r.findings.map((f) => `${String(f.line)} ${f.rule}`),
      [`${String(leak)} ndis/unmap-on-failure`],
    );
  });

  test(`free routines with ${String(n)} independent tests each, every path released: no finding`, async () => {
    const r = await scanTexts({ 'mp.c': driver(n, false) });
    assert.equal(r.complete, true, JSON.stringify(r.notices));
    assert.deepEqual(r.findings, []);
  });
}

/**
 * A wait (`NdisStallExecution`) lets the device write memory it shares with the driver, so
 * what the path knew of struct fields is forgotten; a BOOLEAN the driver keeps for itself
 * (which cleanup to run) is not device memory and keeps its value.
 */
function waitingDriver(boolType: string): string {
  return `#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ${boolType} RegsMapped; } ADAPTER, *PADAPTER;
NDIS_STATUS Probe(PADAPTER a);
VOID FreeAdapter(PADAPTER a)
{
    if (a->RegsMapped) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->RegsMapped = FALSE; }
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    a->RegsMapped = FALSE;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    a->RegsMapped = TRUE;
    NdisStallExecution(50);
    if (Probe(a) != NDIS_STATUS_SUCCESS) { FreeAdapter(a); return NDIS_STATUS_FAILURE; }
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeAdapter((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`;
}

test('a BOOLEAN the driver keeps is not forgotten across a device wait: no phantom leak', async () => {
  const r = await scanTexts({ 'mp.c': waitingDriver('BOOLEAN') });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [],
  );
});

/**
 * A field of the struct the driver keeps the mapping in is the driver's bookkeeping whatever its
 * type: the device knows nothing of that struct, so a wait leaves it known (the guard-release
 * mutants of reactos-dc21x4 and aero-virtio-net: a ULONG guard written before a stall).
 */
test('a non-BOOLEAN field of the struct holding the mapping survives a device wait: no phantom leak', async () => {
  const r = await scanTexts({ 'mp.c': waitingDriver('ULONG') });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [],
  );
});

/**
 * Memory reached through one of the adapter's pointers (a descriptor the device completes) is
 * still forgotten at a wait: the driver clears `Done`, waits, and the device may have set it, so
 * initialize may succeed, and halt, which never unmaps, leaks the mapping.
 */
function descriptorDriver(where: 'a->Desc->Done' | 'a->Done'): string {
  return `#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _DESC { ULONG Done; ULONG Len; } DESC, *PDESC;
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; PDESC Desc; ULONG Done; } ADAPTER, *PADAPTER;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    ${where} = 0;
    NdisStallExecution(50);
    if (${where} == 0) { NdisMUnmapIoSpace(h, a->Regs, REGS_LEN); return NDIS_STATUS_FAILURE; }
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }
${driverEntry('MpInit', 'MpHalt')}`;
}

test("a descriptor reached through a pointer is forgotten at a device wait; the adapter's own field is not", async () => {
  const r = await scanTexts({ 'mp.c': descriptorDriver('a->Desc->Done') });
  assert.deepEqual(
    r.findings.map((f) => f.rule),
    ['ndis/unmap-in-halt'],
  );
  // The same test of a field of the adapter itself: the driver wrote 0 and nothing else wrote it,
  // so initialize never succeeds and halt has nothing to leak.
  const own = await scanTexts({ 'mp.c': descriptorDriver('a->Done') });
  assert.deepEqual(
    own.findings.map((f) => f.rule),
    [],
  );
});

/**
 * The cleanup, initialize and halt of the flag tests below: the unmap is guarded by the adapter's
 * F_MAPPED bit, set right after the mapping; `afterFlag` runs between that and a failing probe.
 */
function flagGuardedInit(afterFlag: string): string {
  return `VOID FreeAdapter(PADAPTER a)
{
    if (a->Flags & F_MAPPED) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    a->Flags |= F_MAPPED;
    ${afterFlag}
    if (Probe(a) != NDIS_STATUS_SUCCESS) { FreeAdapter(a); return NDIS_STATUS_FAILURE; }
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeAdapter((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`;
}

/**
 * An opaque helper writes a `Flags` field of another struct (a receive descriptor's) than the one
 * whose bit guards the cleanup's unmap: the adapter's bit keeps its value (the e100bex and
 * tbatm155 shape). Field writes are told apart by the struct that holds them.
 */
function flagsDriver(write: string): string {
  return `#include <ndis.h>
#define REGS_LEN 0x100
#define F_MAPPED 0x0004
typedef struct _RFD { struct _RFD *Next; ULONG Flags; PVOID Buf; } RFD, *PRFD;
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Flags; PRFD Rfds; } ADAPTER, *PADAPTER;
NDIS_STATUS Probe(PADAPTER a);
VOID InitRfd(PADAPTER a, PRFD r) { ${write} r->Buf = NULL; }
VOID InitRfds(PADAPTER a) { PRFD r; for (r = a->Rfds; r; r = r->Next) InitRfd(a, r); }
${flagGuardedInit('InitRfds(a);')}`;
}

test("a helper writing another struct's Flags leaves the adapter's flag bit known: no phantom leak", async () => {
  for (const write of ['r->Flags = 0;', 'r->Flags |= 0x0004;', 'PVOID p = r; ((PRFD)p)->Flags++;']) {
    const r = await scanTexts({ 'mp.c': flagsDriver(write) });
    assert.deepEqual(
      r.findings.map((f) => `${String(f.line)} ${f.rule}`),
      [],
      write,
    );
  }
  // Writing the adapter's own Flags, or a Flags through a pointer of unknown type, may clear the
  // bit: the cleanup may skip the unmap.
  for (const write of ['a->Flags = 0;', '((PADAPTER)r)->Flags = 0;', 'Unknown->Flags = 0;']) {
    const r = await scanTexts({ 'mp.c': flagsDriver(write) });
    assert.deepEqual(
      r.findings.map((f) => f.rule),
      ['ndis/unmap-on-failure'],
      write,
    );
  }
});

/**
 * A helper the walk does not step into sets another bit of the flag word that guards the
 * cleanup's unmap: the bit the path set itself keeps its value (reactos-dc21x4's shape).
 */
test('a helper that sets another bit of the flag word leaves the mapped bit known: no phantom leak', async () => {
  const text = `#include <ndis.h>
#define REGS_LEN 0x100
#define F_MAPPED   0x0004
#define F_AUTOSENSE 0x0010
#define F_FIRST     0x0100
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Flags; } ADAPTER, *PADAPTER;
NDIS_STATUS Probe(PADAPTER a);
VOID MediaDefaults(PADAPTER a) { a->Flags |= F_AUTOSENSE; a->Flags &= ~F_FIRST; }
${flagGuardedInit('MediaDefaults(a);')}`;
  const r = await scanTexts({ 'mp.c': text });
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [],
  );
  // The same helper setting the mapped bit's own mask may change it: still no invented leak,
  // and a helper clearing it (`&= ~F_MAPPED`) makes the cleanup skip the unmap: a leak.
  const clears = text.replace('a->Flags &= ~F_FIRST;', 'a->Flags &= ~F_MAPPED;');
  const r2 = await scanTexts({ 'mp.c': clears });
  assert.deepEqual(
    r2.findings.map((f) => f.rule),
    ['ndis/unmap-on-failure'],
  );
});

/**
 * The shape of two public ATM miniports whose initialize ran out of its step budget: every failure
 * path calls a cleanup that, besides unmapping the registers, frees queues of receive buffers: a
 * walk of each queue's list, each buffer given back to its pool, each pool's own list of buffers
 * unmapped when the pool is whole. Those windows are mapped at run time, never by initialize: the
 * queue routines can release nothing initialize holds, and walking their lists (again at every
 * failure path) cost the whole budget.
 */
function queueDriver(exits: number, leak: boolean): string {
  const steps: string[] = [];
  for (let i = 0; i < exits; i++)
    steps.push(`    s = Step${String(i)}(a);\n    if (s != NDIS_STATUS_SUCCESS) { FreeResources(a); return s; }`);
  const protos = Array.from({ length: exits }, (_, i) => `NDIS_STATUS Step${String(i)}(PADAPTER a);`).join('\n');
  return `#include <ndis.h>
#define LEN 0x100
typedef struct _POOL POOL, *PPOOL;
typedef struct _BUF { struct _BUF *Next; struct _BUF *Prev; PPOOL Pool; PVOID Va; PVOID Flush; PVOID Packet; PVOID Nb; } BUF, *PBUF;
struct _POOL { PBUF FreeHead; ULONG Freed; ULONG Count; ULONG Flags; PVOID Va; PVOID Hp; PVOID Hb; };
typedef struct _QUEUE { PBUF Head; PBUF Tail; ULONG Count; } QUEUE, *PQUEUE;
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; QUEUE Q1; QUEUE Q2; QUEUE Q3; } ADAPTER, *PADAPTER;
VOID FreeBuffer(PVOID b);
VOID FreeMem(PVOID p);
${protos}
NDIS_STATUS Start(PADAPTER a);

VOID FreePool(PADAPTER a, PPOOL p)
{
    PBUF b;
    PBUF next;
    for (b = p->FreeHead; b != NULL; b = next) {
        next = b->Next;
        if (b->Flush != NULL) FreeBuffer(b->Flush);
        if (b->Nb != NULL) FreeBuffer(b->Nb);
        if (b->Packet != NULL) FreeBuffer(b->Packet);
        if (!(p->Flags & 1)) NdisMUnmapIoSpace(a->H, b->Va, LEN);
    }
    if ((p->Flags & 1) && p->Va != NULL) NdisMUnmapIoSpace(a->H, p->Va, LEN);
    if (p->Hp != NULL) FreeMem(p->Hp);
    if (p->Hb != NULL) FreeMem(p->Hb);
    FreeMem(p);
}

VOID GiveBack(PBUF *head, PADAPTER a, PBUF b)
{
    PBUF h = *head;
    PBUF next = b->Next;
    PPOOL p;
    if (h == b) {
        h = next;
        if (h != NULL) h->Prev = NULL;
    } else {
        b->Prev->Next = b->Next;
        if (b->Next != NULL) b->Next->Prev = h->Prev;
        next = b->Prev;
    }
    p = b->Pool;
    b->Prev = NULL;
    b->Next = p->FreeHead;
    p->FreeHead = b;
    p->Freed++;
    if (p->Freed == p->Count) FreePool(a, p);
    *head = h;
}

VOID FreeQueue(PADAPTER a, PQUEUE q)
{
    PBUF *head;
    for (head = &q->Head; NULL != *head; ) {
        GiveBack(head, a, *head);
        q->Count--;
    }
    if (NULL == q->Head) q->Tail = NULL;
}

VOID FreeResources(PADAPTER a)
{
    FreeQueue(a, &a->Q1);
    FreeQueue(a, &a->Q2);
    FreeQueue(a, &a->Q3);
    if (a->Regs != NULL) NdisMUnmapIoSpace(a->H, a->Regs, LEN);
}

NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE ctx, PNDIS_MINIPORT_INIT_PARAMETERS prm)
{
    PADAPTER a = (PADAPTER)ctx;
    NDIS_STATUS s;
    a->H = h;
    a->Regs = NULL;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
${steps.join('\n')}
    s = Start(a);
    if (s != NDIS_STATUS_SUCCESS) {
${leak ? '        return s; /* LEAK */' : '        FreeResources(a);\n        return s;'}
    }
    return NDIS_STATUS_SUCCESS;
}

VOID MpHalt(NDIS_HANDLE ctx, NDIS_HALT_ACTION x) { FreeResources((PADAPTER)ctx); }
${driverEntry('MpInit', 'MpHalt')}`;
}

test('cleanup routines of buffers initialize never mapped are not walked: complete, the leak found', async () => {
  const text = queueDriver(40, true);
  const r = await scanTexts({ 'mp.c': text });
  const leak = text.split('\n').findIndex((l) => l.includes('/* LEAK */')) + 1;
  assert.deepEqual(
    r.notices.filter((x) => x.kind === 'budget'),
    [],
  );
  assert.equal(r.complete, true, JSON.stringify(r.notices));
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)} ${f.rule}`),
    [`${String(leak)} ndis/unmap-on-failure`],
  );
  const clean = await scanTexts({ 'mp.c': queueDriver(40, false) });
  assert.equal(clean.complete, true, JSON.stringify(clean.notices));
  assert.deepEqual(clean.findings, []);
});
