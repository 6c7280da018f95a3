/** ndis/mmap-context beyond the shared cases: role sources, call graph shapes, unknown contexts. */
import assert from 'node:assert/strict';
import { ADAPTER, MAP_INIT, driverEntry, ruleTester } from './support/ruleTester.js';
import { defined } from '../src/util/defined.js';

const INIT_OK = `
${MAP_INIT}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}
`;

const TABLE = `${ADAPTER}
typedef NDIS_STATUS (*OP)(PADAPTER);
static NDIS_STATUS Recover(PADAPTER a)
{
    return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
static OP g_Ops[] = { Recover };
${INIT_OK}
${driverEntry('MpInit', 'MpHalt')}`;

ruleTester('mmap-context', [
  {
    name: 'registration through a pointer and a cast counts as initialize',
    files: {
      'mp.c': `${ADAPTER}${INIT_OK}
static VOID Fill(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS pc)
{
    pc->InitializeHandlerEx = (MINIPORT_INITIALIZE *)MpInit;
    pc->HaltHandlerEx = MpHalt;
}
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NDIS_HANDLE h;
    Fill(&c);
    return NdisMRegisterMiniportDriver(d, r, NULL, &c, &h);
}
`,
    },
  },
  {
    name: 'a work item handed to NdisQueueIoWorkItem is not initialize',
    files: {
      'mp.c': `${ADAPTER}
static VOID Remap(PVOID ctx, NDIS_HANDLE wi)
{
    PADAPTER a = (PADAPTER)ctx;
    NdisMMapIoSpace(&a->Regs2, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_HANDLE wi = NdisAllocateIoWorkItem(h);
    NdisQueueIoWorkItem(wi, Remap, a);
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      const f = defined(r.findings.find((x) => x.rule === 'ndis/mmap-context'));
      assert.match(f.trace[0].message, /work item.*NdisQueueIoWorkItem/);
    },
  },
  {
    name: 'a function stored in a table runs in a context the engine cannot name, and says so',
    files: {
      'mp.c': TABLE,
    },
    check: (r) => {
      const f = defined(r.findings.find((x) => x.rule === 'ndis/mmap-context'));
      assert.match(f.message, /address is taken \(mp\.c:(\d+)\)/);
      const line = Number(defined(/mp\.c:(\d+)\)/.exec(f.message))[1]);
      assert.equal(f.trace[0].line, line);
      assert.equal(
        line,
        TABLE.split('\n').findIndex((l) => l.startsWith('static OP g_Ops')) + 1,
        'the line of the table that takes the address',
      );
    },
  },
  {
    name: 'a reset callback that calls initialize makes its mapping run in reset context',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}
NDIS_STATUS MpReset(NDIS_HANDLE c, PBOOLEAN ar)
{
    PADAPTER a = (PADAPTER)c;
    MpHalt(c, 0);
    return MpInit(a->H, c, NULL);
}
${driverEntry('MpInit', 'MpHalt', { ResetHandlerEx: 'MpReset' })}`,
    },
    check: (r) => {
      assert.match(r.findings[0].message, /MpReset → MpInit/);
    },
  },
  {
    name: 'recursion and call cycles terminate',
    files: {
      'mp.c': `${ADAPTER}${INIT_OK}
static VOID Ping(PADAPTER a, int n);
static VOID Pong(PADAPTER a, int n) { if (n) Ping(a, n - 1); else NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); } // EXPECT: ndis/mmap-context
static VOID Ping(PADAPTER a, int n) { Pong(a, n); Ping(a, n); }
BOOLEAN MpHang(NDIS_HANDLE c) { Ping((PADAPTER)c, 3); return FALSE; }
${driverEntry('MpInit', 'MpHalt', { CheckForHangHandlerEx: 'MpHang' })}`,
    },
  },
  {
    name: 'a function nothing calls and whose address is never taken gets no finding',
    files: {
      'mp.c': `${ADAPTER}${INIT_OK}
static VOID Unused(PADAPTER a) { NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a macro that aliases the call is seen through, reported at its use',
    files: {
      'hw.h': `#define MAP_IT NdisMMapIoSpace\n#define MAP_REGS(a) MAP_IT(&(a)->Regs, (a)->H, (a)->Pa, REGS_LEN)\n`,
      'mp.c': `${ADAPTER}#include "hw.h"
${INIT_OK}
NDIS_STATUS MpPause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return MAP_REGS(a); // EXPECT: ndis/mmap-context
}
${driverEntry('MpInit', 'MpHalt', { PauseHandler: 'MpPause' })}`,
    },
  },
  {
    name: 'two builds side by side: each file calls its own helper; a common caller reaches both',
    files: {
      'nic/x5.c': `${ADAPTER}
NDIS_STATUS HwMap(PADAPTER a) { return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); }
`,
      'nic/x6.c': `${ADAPTER}
NDIS_STATUS HwMap(PADAPTER a) { return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); }
`,
      'nic/common.c': `${ADAPTER}
MINIPORT_INITIALIZE MpInit;
MINIPORT_HALT MpHalt;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return HwMap((PADAPTER)c); }
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
`,
      'other/oid.c': `${ADAPTER}
MINIPORT_OID_REQUEST OtherOid;
NDIS_STATUS HwMap(PADAPTER a) { return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); } // EXPECT: ndis/mmap-context
NDIS_STATUS OtherOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r) { return HwMap((PADAPTER)c); }
`,
    },
  },
  {
    name: 'NDIS 5 initialize with IN/OUT and NTAPI, mapping only there: no finding',
    files: {
      'mp.c': `${ADAPTER}
static NDIS_STATUS NTAPI MInit(OUT PNDIS_STATUS e, OUT PUINT i, IN PNDIS_MEDIUM m, IN UINT n, IN NDIS_HANDLE h, IN NDIS_HANDLE w)
{
    PADAPTER a = (PADAPTER)w;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
}
static VOID NTAPI MHalt(IN NDIS_HANDLE c) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
NTSTATUS NTAPI DriverEntry(IN PDRIVER_OBJECT d, IN PUNICODE_STRING r)
{
    NDIS_MINIPORT_CHARACTERISTICS m;
    NDIS_HANDLE w;
    NdisMInitializeWrapper(&w, d, r, NULL);
    m.InitializeHandler = MInit;
    m.HaltHandler = MHalt;
    return NdisMRegisterMiniport(w, &m, sizeof(m));
}
`,
    },
  },
  {
    name: 'an interrupt DPC registered in the interrupt characteristics is not initialize',
    files: {
      'mp.c': `${ADAPTER}
MINIPORT_INTERRUPT_DPC MpDpc;
VOID MpDpc(NDIS_HANDLE c, ULONG m, PVOID r1, PVOID r2)
{
    PADAPTER a = (PADAPTER)c;
    if (!a->Regs) NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic = { .InterruptDpcHandler = MpDpc };
    PADAPTER a = (PADAPTER)c;
    return NdisMRegisterInterruptEx(h, a, &ic, &a->H);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'no initialize callback at all: a not-applicable notice, no guesses',
    files: {
      'lib.c': `${ADAPTER}
NDIS_STATUS LibMap(PADAPTER a) { return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); }
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) { return STATUS_SUCCESS; }
`,
    },
    check: (r) => {
      assert.ok(r.notices.some((n) => n.kind === 'not-applicable'));
    },
  },
  {
    name: 'no initialize callback: a mapping in DriverEntry or an OID handler is still outside initialize',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpOid(NDIS_HANDLE c, PNDIS_OID_REQUEST q)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
static NDIS_STATUS Guess(PADAPTER a) { return NdisMMapIoSpace(&a->Regs2, a->H, a->Pa, REGS_LEN); }
static OPAQUE_TABLE g_Table = { Guess };
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    PADAPTER a = g_Adapter;
    NdisMMapIoSpace(&a->Regs3, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
    c.OidRequestHandler = MpOid;
    NdisStallExecution(500); // EXPECT: ndis/stall-execution-delay
    return NdisMRegisterMiniportDriver(d, r, NULL, &c, &g_Handle);
}
`,
    },
    check: (r) => {
      // Guess's address is taken for a caller the engine cannot follow: it may be the initialize it did not find.
      const note = r.notices.find((n) => n.kind === 'not-applicable');
      assert.ok(note, 'a not-applicable notice');
      assert.match(note.message, /ndis\/unmap-on-failure, ndis\/unmap-in-halt, ndis\/unmap-length did not run/);
    },
  },
  {
    name: 'WDI: allocate-adapter, open-adapter, TAL TxRx initialize and start-operation run inside initialize',
    files: {
      'wdi.c': `${ADAPTER}
MINIPORT_WDI_ALLOCATE_ADAPTER WdiAllocate;
NDIS_STATUS WdiAllocate(NDIS_HANDLE h, NDIS_HANDLE dc, PNDIS_MINIPORT_INIT_PARAMETERS p,
                        PNDIS_WDI_INIT_PARAMETERS w, PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra)
{
    PADAPTER a = g_Adapter;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
}
static NDIS_STATUS WdiOpen(NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, a->H, a->Pa, REGS_LEN);
}
static NDIS_STATUS WdiStart(NDIS_HANDLE c)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs3, a->H, a->Pa, REGS_LEN);
}
static VOID WdiRxStop(TAL_TXRX_HANDLE c)
{
    PADAPTER a = (PADAPTER)c;
    NdisMMapIoSpace(&a->Regs4, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
static NDIS_STATUS WdiHang(NDIS_HANDLE c, UINT32 s, UINT8 *b)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs5, a->H, a->Pa, REGS_LEN); // EXPECT: ndis/mmap-context
}
static NDIS_STATUS WdiTalInit(NDIS_HANDLE c, NDIS_HANDLE dp, PNDIS_WDI_DATA_API api, PTAL_TXRX_HANDLE t,
                              PNDIS_MINIPORT_WDI_DATA_HANDLERS dh, UINT32 *extra)
{
    PADAPTER a = (PADAPTER)c;
    dh->RxStopHandler = WdiRxStop;
    return NdisMMapIoSpace(&a->Regs6, a->H, a->Pa, REGS_LEN);
}
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NDIS_MINIPORT_DRIVER_WDI_CHARACTERISTICS w;
    w.AllocateAdapterHandler = WdiAllocate;
    w.OpenAdapterHandler = WdiOpen;
    w.StartOperationHandler = WdiStart;
    w.HangDiagnoseHandler = WdiHang;
    w.TalTxRxInitializeHandler = WdiTalInit;
    return NdisMRegisterWdiMiniportDriver(d, r, NULL, &c, &w, &g_Handle);
}
`,
    },
  },
]);
