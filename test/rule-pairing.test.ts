/** ndis/unmap-on-failure, ndis/unmap-in-halt, ndis/unmap-length beyond the shared cases. */
import assert from 'node:assert/strict';
import { ADAPTER, MAP_INIT, driverEntry, ruleTester } from './support/ruleTester.js';

const HALT = `
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
}
`;
const init = (body: string) => `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS status;
${body}
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`;

ruleTester('unmap-on-failure', [
  {
    name: 'a bare `if (status)` test: the leak is at the return',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status) return status;
    status = Probe(a);
    if (status)
        return status; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;`),
    },
  },
  {
    name: 'a failure constant set before the goto: reported at the goto',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) goto out;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
        status = NDIS_STATUS_ADAPTER_NOT_FOUND;
        goto out; // EXPECT: ndis/unmap-on-failure
    }
    status = NDIS_STATUS_SUCCESS;
out:
    return status;`),
    },
  },
  {
    name: 'the halt callback called from initialize to clean up counts as a release',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    status = Probe(a);
    if (status != NDIS_STATUS_SUCCESS) {
        MpHalt(a, NdisHaltDeviceInitializationFailed);
        return status;
    }
    return NDIS_STATUS_SUCCESS;`),
    },
  },
  {
    name: 'a release guarded by a flag set after the mapping counts',
    files: {
      'mp.c': init(`
    a->Mapped = FALSE;
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status == NDIS_STATUS_SUCCESS) a->Mapped = TRUE;
    if (NT_SUCCESS(status)) status = Probe(a);
    if (!NT_SUCCESS(status)) {
        if (a->Mapped) NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);
        return status;
    }
    return NDIS_STATUS_SUCCESS;`),
    },
  },
  {
    name: 'switch on the probe result; one case forgets the unmap',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    switch (Probe(a)) {
    case 0:
        return NDIS_STATUS_SUCCESS;
    case 1:
        NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);
        return NDIS_STATUS_FAILURE;
    default:
        return NDIS_STATUS_NOT_SUPPORTED; // EXPECT: ndis/unmap-on-failure
    }`),
    },
  },
  {
    name: 'two mappings leaking at one return make one finding naming both',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    status = NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) { NdisMUnmapIoSpace(h, a->Regs, REGS_LEN); return status; }
    if (Probe(a) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;`).replace(
        'NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);',
        'NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); NdisMUnmapIoSpace(a->H, a->Regs2, REGS_LEN);',
      ),
    },
    check: (r) => {
      const f = r.findings.filter((x) => x.rule === 'ndis/unmap-on-failure');
      assert.equal(f.length, 1);
      assert.match(f[0].message, /a->Regs2? and a->Regs2?/);
    },
  },
  {
    name: 'a leak out of do { } while (FALSE) through break is reported at the return that follows',
    files: {
      'mp.c': init(`
    do {
        status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
        if (status != NDIS_STATUS_SUCCESS) break;
        status = Probe(a);
        if (status != NDIS_STATUS_SUCCESS) break;
    } while (FALSE);
    return status; // EXPECT: ndis/unmap-on-failure:leak`),
    },
  },
  {
    name: 'a break out of a switch leads to the goto that leaks',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    switch (Probe(a)) {
    case 1:
        status = NDIS_STATUS_FAILURE;
        break;
    default:
        return NDIS_STATUS_SUCCESS;
    }
    goto out; // EXPECT: ndis/unmap-on-failure
out:
    return status;`),
    },
  },
  {
    name: 'a status returned untested is not assumed to be a failure',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    return Probe(a);`),
    },
  },
  {
    name: 'a conditional return that can only fail on the leaking side',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    return Probe(a) == NDIS_STATUS_SUCCESS ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure`),
    },
  },
]);

ruleTester('unmap-in-halt', [
  {
    name: 'halt releases through a helper in another file and a macro: no finding',
    files: {
      'hw.h': `#define UNMAP_REGS(a) NdisMUnmapIoSpace((a)->H, (a)->Regs, REGS_LEN)\n`,
      'hw.c': `${ADAPTER}#include "hw.h"\nVOID HwRelease(PADAPTER a) { if (a->Regs) { UNMAP_REGS(a); a->Regs = NULL; } }\n`,
      'mp.c': `${ADAPTER}
VOID HwRelease(PADAPTER a);
${MAP_INIT}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { HwRelease((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a temporary mapping released before initialize succeeds needs nothing in halt',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    PVOID rom;
    if (NdisMMapIoSpace(&rom, h, a->Pa, 0x40) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_RESOURCES;
    a->Len = READ_REGISTER_ULONG((PULONG)rom);
    NdisMUnmapIoSpace(h, rom, 0x40);
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'halt unmaps another field: the kept mapping is reported at its call',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN); // EXPECT: ndis/unmap-in-halt
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.match(r.findings[0].message, /ADAPTER\.Regs2.*MpHalt/);
    },
  },
  {
    // vmdp's MPHalt: deregister, then `Handle = (NDIS_HANDLE)(-1)`; the stored sentinel drops the released
    // mapping's last name, which must not read as "never released".
    name: 'halt releases, then stores a non-NULL sentinel in the field: no finding',
    files: {
      'mp.c': `${ADAPTER}
${MAP_INIT}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
    a->Regs = (PVOID)(-1);
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'halt only stores the sentinel, with no release: still reported',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); // EXPECT: ndis/unmap-in-halt
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    a->Regs = (PVOID)(-1);
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'no halt callback can be found: unmap-in-halt is not reported',
    files: {
      'mp.c': `${ADAPTER}
MINIPORT_INITIALIZE MpInit;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
}
`,
    },
  },
  {
    name: 'the same field name in another struct type is another resource',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OTHER { NDIS_HANDLE H; PVOID Regs; } OTHER, *POTHER;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); // EXPECT: ndis/unmap-in-halt
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { POTHER o = (POTHER)c; NdisMUnmapIoSpace(o->H, o->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);

ruleTester('unmap-length', [
  {
    name: 'the same length written differently is the same length',
    files: {
      'mp.c': `${ADAPTER}
#define WIN (0x80 * 2)
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, WIN);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, 256UL); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a length through a chain of #defines that differs is reported at the unmap',
    files: {
      'regs.h': '#define BASE_LEN 0x40\n#define WIN_LEN (BASE_LEN << 2)\n',
      'mp.c': `${ADAPTER}#include "regs.h"
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, WIN_LEN);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    NdisMUnmapIoSpace(a->H, a->Regs, BASE_LEN); // EXPECT: ndis/unmap-length
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.match(r.findings[0].message, /BASE_LEN \(64\).*WIN_LEN \(256\)/);
    },
  },
  {
    name: 'lengths that are not integers and not the same expression get no verdict',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, a->Len);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, sizeof(ADAPTER)); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);

ruleTester('half-written code', [
  {
    name: 'a damaged initialize gets no path verdict, and a notice says why',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    if (Probe(a) != NDIS_STATUS_SUCCESS {
        NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.ok(
        r.notices.some((n) => n.kind === 'parse-recovered' && n.message.includes('MpInit were not checked')),
        JSON.stringify(r.notices),
      );
    },
  },
  {
    name: 'a damaged halt gets no never-released verdict',
    files: {
      'mp.c': `${ADAPTER}
${MAP_INIT}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PADAPTER a = (PADAPTER)c;
    if (a->Regs != NULL {
        NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
    }
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);

/** A driver mapping each memory BAR into an array in a loop; `onFailure` follows a failed map, `tail` ends initialize. */
function barLoop(onFailure: string, tail: string): string {
  return `#include <ndis.h>
typedef struct _NIC { NDIS_HANDLE H; PVOID BarVa[6]; ULONG BarLen[6]; } NIC, *PNIC;
MINIPORT_INITIALIZE NicInit;
MINIPORT_HALT NicHalt;
static VOID NicUnmapBars(PNIC n)
{
    ULONG i;
    for (i = 0; i < 6; i++)
        if (n->BarVa[i] != NULL) { NdisMUnmapIoSpace(n->H, n->BarVa[i], n->BarLen[i]); n->BarVa[i] = NULL; }
}
NDIS_STATUS NicInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC n = (PNIC)c;
    PNDIS_RESOURCE_LIST list = p->AllocatedResources;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    ULONG i, bar = 0;
    for (i = 0; i < list->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[i];
        if (d->Type != CmResourceTypeMemory) continue;
        status = NdisMMapIoSpace(&n->BarVa[bar], h, d->u.Memory.Start, d->u.Memory.Length);
        if (status != NDIS_STATUS_SUCCESS)
            ${onFailure}
        n->BarLen[bar] = d->u.Memory.Length;
        bar++;
    }
    return NDIS_STATUS_SUCCESS;
${tail}
}
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { NicUnmapBars((PNIC)c); }
`;
}

ruleTester('arrays of mappings', [
  {
    name: 'a later element failing to map leaks the earlier ones when its exit releases nothing (zvionet shape)',
    files: { 'bars.c': barLoop('return status; // EXPECT: ndis/unmap-on-failure', '') },
  },
  {
    name: 'the same loop whose failure goes to a cleanup loop releases every element',
    files: { 'bars.c': barLoop('goto Error;', 'Error:\n    NicUnmapBars(n);\n    return status;') },
  },
  {
    name: 'a failure path that releases the array in a forward loop releases it (loops are not counted)',
    files: {
      'bars.c': `#include <ndis.h>
typedef struct _BAR { PVOID Va; NDIS_PHYSICAL_ADDRESS Pa; ULONG Length; } BAR;
typedef struct _NIC { NDIS_HANDLE H; ULONG BarCount; BAR Bars[6]; } NIC, *PNIC;
MINIPORT_INITIALIZE NicInit;
MINIPORT_HALT NicHalt;
NDIS_STATUS NicStart(PNIC n);
static VOID NicUnmapBars(PNIC n)
{
    ULONG i;
    for (i = 0; i < n->BarCount; i++) {
        if (n->Bars[i].Va != NULL) { NdisMUnmapIoSpace(n->H, n->Bars[i].Va, n->Bars[i].Length); n->Bars[i].Va = NULL; }
    }
}
NDIS_STATUS NicInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC n = (PNIC)c;
    NDIS_STATUS status;
    ULONG i;
    for (i = 0; i < n->BarCount; i++) {
        status = NdisMMapIoSpace(&n->Bars[i].Va, h, n->Bars[i].Pa, n->Bars[i].Length);
        if (status != NDIS_STATUS_SUCCESS) {
            while (i > 0) { i--; NdisMUnmapIoSpace(h, n->Bars[i].Va, n->Bars[i].Length); }
            return status;
        }
    }
    status = NicStart(n);
    if (status != NDIS_STATUS_SUCCESS) {
        for (i = 0; i < n->BarCount; i++)
            NdisMUnmapIoSpace(h, n->Bars[i].Va, n->Bars[i].Length);
        return status;
    }
    status = NicStart(n);
    if (status != NDIS_STATUS_SUCCESS) {
        NicUnmapBars(n);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
}
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { NicUnmapBars((PNIC)c); }
`,
    },
  },
]);

ruleTester('real-world shapes', [
  {
    // More exits than a join keeps apart: the success exit and the last step's failure return one symbol.
    name: 'an allocation helper whose success and failure both return one call result (rtlnwifi style)',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS StaInit(PADAPTER a);
NDIS_STATUS Step1(PADAPTER a), Step2(PADAPTER a), Step3(PADAPTER a), Step4(PADAPTER a);
NDIS_STATUS Step5(PADAPTER a), Step6(PADAPTER a), Step7(PADAPTER a), Step8(PADAPTER a);
NDIS_STATUS Probe(PADAPTER a);
VOID FreeAdapter(PADAPTER a)
{
    if (a->Regs) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN);
    NdisFreeMemory(a, 0, 0);
}
NDIS_STATUS AllocAdapter(NDIS_HANDLE h, PADAPTER *pp)
{
    PADAPTER a = NULL;
    NDIS_STATUS s = NDIS_STATUS_SUCCESS;
    *pp = NULL;
    do {
        a = NdisAllocateMemoryWithTagPriority(h, sizeof(ADAPTER), 'tseT', NormalPoolPriority);
        if (a == NULL) { s = NDIS_STATUS_RESOURCES; break; }
        NdisZeroMemory(a, sizeof(ADAPTER));
        s = Step1(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step2(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step3(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step4(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step5(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step6(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step7(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = Step8(a); if (s != NDIS_STATUS_SUCCESS) break;
        s = StaInit(a);
        if (s != NDIS_STATUS_SUCCESS) break;
    } while (FALSE);
    if (s != NDIS_STATUS_SUCCESS) {
        if (a) { FreeAdapter(a); a = NULL; }
    }
    *pp = a;
    return s;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = NULL;
    NDIS_STATUS s;
    do {
        s = AllocAdapter(h, &a);
        if (s != NDIS_STATUS_SUCCESS) break;
        a->H = h;
        s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
        if (s != NDIS_STATUS_SUCCESS) break;
        if (Probe(a) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure
    } while (FALSE);
    if (s != NDIS_STATUS_SUCCESS && a) FreeAdapter(a);
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeAdapter((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'an allocation macro that writes through the address it is handed (`*&a = ...`)',
    files: {
      'mp.c': `${ADAPTER}
#define MP_ALLOCATE_MEMORY(_h, _pp, _n) *_pp = NdisAllocateMemoryWithTagPriority(_h, _n, 'tseT', NormalPoolPriority)
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = NULL;
    NDIS_STATUS s;
    MP_ALLOCATE_MEMORY(h, &a, sizeof(ADAPTER));
    if (a == NULL) return NDIS_STATUS_RESOURCES;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a release guarded by a bit flag set beside the mapping counts (ReactOS dc21x4 style)',
    files: {
      'dc.h': `#define DC_IO_MAPPED 0x00000001\n#define DC_IO_LENGTH 0x80\n#define CODE_SEG(x) __declspec(code_seg(x))\n`,
      'init.c': `#include "dc.h"
typedef struct _DC { NDIS_HANDLE H; PVOID IoBase; ULONG Flags; NDIS_PHYSICAL_ADDRESS Pa; BOOLEAN Port; } DC, *PDC;
NDIS_STATUS DcRead(PDC d);
static
CODE_SEG("PAGE")
NDIS_STATUS
DcResources(PDC d)
{
    NDIS_STATUS Status;
    if (d->Port) {
        Status = NdisMRegisterIoPortRange((PVOID*)&d->IoBase, d->H, 0, DC_IO_LENGTH);
    } else {
        Status = NdisMMapIoSpace((PVOID*)&d->IoBase, d->H, d->Pa, DC_IO_LENGTH);
        d->Flags |= DC_IO_MAPPED;
    }
    return Status;
}
CODE_SEG("PAGE")
VOID
DcFree(PDC d)
{
    if (d->IoBase) {
        if (d->Flags & DC_IO_MAPPED)
            NdisMUnmapIoSpace(d->H, d->IoBase, DC_IO_LENGTH);
        else
            NdisMDeregisterIoPortRange(d->H, 0, DC_IO_LENGTH, d->IoBase);
    }
}
DECLSPEC_NOINLINE_FROM_PAGED
NDIS_STATUS
NTAPI
DcInit(OUT PNDIS_STATUS e, OUT PUINT m, IN PNDIS_MEDIUM a, IN UINT n, IN NDIS_HANDLE h, IN NDIS_HANDLE w)
{
    PDC d = (PDC)w;
    NDIS_STATUS Status;
    d->Flags = 0;
    Status = DcResources(d);
    if (Status != NDIS_STATUS_SUCCESS)
        goto Failure;
    Status = DcRead(d);
    if (Status != NDIS_STATUS_SUCCESS)
        goto Failure;
    return NDIS_STATUS_SUCCESS;
Failure:
    DcFree(d);
    return Status;
}
static VOID NTAPI DcHalt(IN NDIS_HANDLE c) { DcFree((PDC)c); }
E100_PAGED_DATA static const struct { USHORT Id; } DcIds[] = { { 1 } };
NTSTATUS NTAPI DriverEntry(IN PDRIVER_OBJECT d, IN PUNICODE_STRING r)
{
    NDIS_MINIPORT_CHARACTERISTICS m;
    NDIS_HANDLE w;
    m.InitializeHandler = DcInit;
    m.HaltHandler = DcHalt;
    return NdisMRegisterMiniport(w, &m, sizeof(m));
}
`,
    },
    check: (r) => {
      assert.deepEqual(
        r.notices.filter((n) => n.kind === 'parse-recovered'),
        [],
        'declaration noise is neutralised',
      );
    },
  },
]);

ruleTester('function pointers in halt', [
  {
    name: 'a halt that calls through a pointer no releasing function can be behind still gets the finding',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Stop)(PADAPTER a); } OPS;
extern OPS g_Ops;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN); // EXPECT: ndis/unmap-in-halt
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { g_Ops.Stop((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a halt that calls through a pointer that may reach a releasing function gets a notice, not a guess',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Stop)(PADAPTER a); } OPS;
static VOID MpStopHw(PADAPTER a) { NdisMUnmapIoSpace(a->H, a->Regs2, REGS_LEN); }
OPS g_Ops = { MpStopHw };
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { g_Ops.Stop((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.ok(
        r.notices.some(
          (n) => n.kind === 'unresolved' && n.withheld && n.message.includes('ndis/unmap-in-halt was not decided'),
        ),
        JSON.stringify(r.notices),
      );
    },
  },
  {
    name: 'a halt that calls the release helper through an ops table releases',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Stop)(PADAPTER a); } OPS;
static VOID MpStopHw(PADAPTER a) { NdisMUnmapIoSpace(a->H, a->Regs2, REGS_LEN); }
static const OPS MpOps = { .Stop = MpStopHw };
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    return NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { MpOps.Stop((PADAPTER)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);

ruleTester('function pointers on failure paths', [
  {
    name: 'a failure path that calls a cleanup through a pointer nothing releasing can be behind leaks',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Cleanup)(PADAPTER a); } OPS, *POPS;
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    POPS ops = (POPS)p;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
        ops->Cleanup(a);
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure
    }
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      const notice = r.notices.find((n) => n.kind === 'unresolved');
      assert.match(
        notice?.message ?? '',
        /^1 call site through function pointers .* could not be followed; a mapping released only through it is not seen/,
      );
    },
  },
  {
    name: 'a failure path that calls a cleanup through a pointer that may release is withheld with a notice',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Cleanup)(PADAPTER a); } OPS, *POPS;
NDIS_STATUS Probe(PADAPTER a);
VOID MpUnmap(PADAPTER a) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
PVOID g_Cleanups[] = { MpUnmap };
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    POPS ops = (POPS)p;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
        ops->Cleanup(a);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.ok(
        r.notices.some((n) => n.kind === 'unresolved' && n.withheld && n.message.includes('not reported')),
        JSON.stringify(r.notices),
      );
    },
  },
  {
    name: 'an initialize that can map nothing is not walked: no notice of pointers a mapping could hide behind',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Cleanup)(PADAPTER a); } OPS, *POPS;
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    POPS ops = (POPS)p;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
        ops->Cleanup(a);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.deepEqual(
        r.notices.filter((n) => n.kind === 'unresolved'),
        [],
      );
      assert.equal(r.stats.walkSteps, 0);
    },
  },
  {
    name: 'an initialize whose only mapping may be behind a pointer call is walked, and says so',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _OPS { NDIS_STATUS (*Map)(PADAPTER a, NDIS_HANDLE h); } OPS, *POPS;
NDIS_STATUS MpMap(PADAPTER a, NDIS_HANDLE h) { return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); } // EXPECT: ndis/mmap-context
PVOID g_Maps[] = { MpMap };
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    POPS ops = (POPS)p;
    return ops->Map(a, h);
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      assert.match(
        r.notices.find((n) => n.kind === 'unresolved')?.message ?? '',
        /^1 call site through function pointers on the paths of MpInit could not be followed/,
      );
      assert.ok((r.stats.walkSteps ?? 0) > 0);
    },
  },
]);

const ladder = (before: number, after: number) => {
  const steps = (n: number, mark: boolean) =>
    Array.from(
      { length: n },
      (_, i) =>
        `    s = Step${String(i)}(a); if (s != NDIS_STATUS_SUCCESS) goto Out;${mark ? ' // EXPECT: ndis/unmap-on-failure' : ''}`,
    ).join('\n');
  return `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
${steps(before, false)}
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
${steps(after, true)}
    return NDIS_STATUS_SUCCESS;
Out:
    return s;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`;
};

ruleTester('goto ladders at scale (found on real drivers)', [
  {
    name: 'every leaking goto of a long ladder is reported, however many paths meet at the label',
    files: { 'mp.c': ladder(10, 16) },
  },
  { name: 'thirty leaking gotos, thirty findings', files: { 'mp.c': ladder(0, 30) } },
  {
    name: 'a mapping whose status is never tested is held where it succeeded: failure exits leak',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    PVOID buf;
    NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    buf = NdisAllocateMemoryWithTagPriority(h, 16, 'xx', NormalPoolPriority);
    if (buf == NULL)
        return NDIS_STATUS_RESOURCES; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a helper that only ever returns success cannot take the failure goto',
    files: {
      'mp.c': `${ADAPTER}
static NDIS_STATUS HwEnable(PADAPTER a) { a->Len |= 1; return NDIS_STATUS_SUCCESS; }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = HwEnable(a);
    if (s != NDIS_STATUS_SUCCESS) goto Out;
    return NDIS_STATUS_SUCCESS;
Out:
    return s;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a helper decides the failure; initialize rewriting the status does not move the report',
    files: {
      'mp.c': `${ADAPTER}
static NDIS_STATUS HwAlloc(PADAPTER a, NDIS_HANDLE h)
{
    PVOID tx;
    if (NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE;
    tx = NdisAllocateMemoryWithTagPriority(h, 64, 'xx', NormalPoolPriority);
    if (tx == NULL) return NDIS_STATUS_RESOURCES; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = HwAlloc(a, h);
    if (s != NDIS_STATUS_SUCCESS) { s = NDIS_STATUS_RESOURCES; goto Out; }
    return NDIS_STATUS_SUCCESS;
Out:
    return s;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);

ruleTester('found on real drivers: the evaluation audit', [
  {
    name: 'a helper whose only return is a success constant in parentheses always succeeds',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS SelfCheck(PADAPTER a) { return (NDIS_STATUS_SUCCESS); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = SelfCheck(a);
    if (s != NDIS_STATUS_SUCCESS) goto Out;
    return NDIS_STATUS_SUCCESS;
Out:
    return s;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: "a mapping kept only in a helper's local is leaked when the helper returns",
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS ReadFuse(PADAPTER a)
{
    PVOID Fuse;
    NDIS_STATUS s = NdisMMapIoSpace(&Fuse, a->H, a->Pa, 16); // EXPECT: ndis/unmap-in-halt
    if (s != NDIS_STATUS_SUCCESS) return s;
    a->Id = *(PULONG)Fuse;
    return NDIS_STATUS_SUCCESS;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = ReadFuse(a);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) return s; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'three gotos to one cleanup label that arrive in the same state are three report sites',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS StepA(PADAPTER a);
NDIS_STATUS StepB(PADAPTER a);
NDIS_STATUS StepC(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = StepA(a);
    if (s != NDIS_STATUS_SUCCESS) { s = NDIS_STATUS_RESOURCES; goto err; } // EXPECT: ndis/unmap-on-failure
    s = StepB(a);
    if (s != NDIS_STATUS_SUCCESS) { s = NDIS_STATUS_RESOURCES; goto err; } // EXPECT: ndis/unmap-on-failure
    s = StepC(a);
    if (s != NDIS_STATUS_SUCCESS) { s = NDIS_STATUS_RESOURCES; goto err; } // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
err:
    NdisFreeMemory(a, 0, 0);
    return s;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'an NDIS error-log code returned as the status is a failure',
    files: {
      'mp.c': `${ADAPTER}
BOOLEAN Found(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (!Found(a)) return NDIS_ERROR_CODE_ADAPTER_NOT_FOUND; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
${HALT}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'two definitions of one helper (two builds): both are walked',
    files: {
      'nic/init5.c': `${ADAPTER}
NDIS_STATUS HwInit(PADAPTER a, NDIS_HANDLE h) { return NDIS_STATUS_SUCCESS; }
`,
      'nic/init6.c': `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS HwInit(PADAPTER a, NDIS_HANDLE h)
{
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE; // EXPECT: ndis/unmap-on-failure
    return NDIS_STATUS_SUCCESS;
}
`,
      'nic/mp.c': `${ADAPTER}
MINIPORT_INITIALIZE MpInit;
MINIPORT_HALT MpHalt;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return HwInit((PADAPTER)c, h); }
${HALT}`,
    },
  },
]);

ruleTester('found by the equivalence check', [
  {
    name: 'a cast to a typedef name with a parenthesized operand, (PVOID)(a->Regs), is a cast, not a call',
    files: {
      'mp.c': init(`
    status = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS) return status;
    if ((BOOLEAN)(Probe(a) != NDIS_STATUS_SUCCESS)) {
        NdisMUnmapIoSpace(h, (PVOID)(a->Regs), (ULONG)(REGS_LEN));
        return NDIS_STATUS_FAILURE;
    }
    if ((BOOLEAN)(Probe(a) == NDIS_STATUS_PENDING)) {
        NdisMUnmapIoSpace(h, (PVOID)(*a).Regs, REGS_LEN);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;`),
    },
  },
  {
    name: 'a cast closed by parentheses, ((PADAPTER)(c))->Regs, casts c alone',
    files: {
      'mp.c': `${ADAPTER}
${MAP_INIT}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)(c))->H, ((PADAPTER)(c))->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: '(*b).Va is b->Va, also where b points into a global array',
    files: {
      'mp.c': `
#include <ndis.h>
typedef struct _BAR { PVOID Va; ULONG Len; NDIS_PHYSICAL_ADDRESS Pa; } BAR;
typedef struct _INST { NDIS_HANDLE H; BAR Bars[2]; } INST;
INST g;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    BAR *b = &g.Bars[0];
    NDIS_STATUS s = NdisMMapIoSpace(&(*b).Va, h, (*b).Pa, (*b).Len);
    if (s != NDIS_STATUS_SUCCESS) return s;
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { BAR *b = &g.Bars[0]; NdisMUnmapIoSpace(g.H, b->Va, b->Len); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'a register write through a second name of the mapping keeps the pointer to the struct that holds it',
    files: {
      'mp.c': `
#include <ndis.h>
typedef struct _SAR { ULONG Intr; } SAR, *PSAR;
typedef struct _HW { PVOID Va; PSAR Sar; ULONG Len; NDIS_PHYSICAL_ADDRESS Pa; } HW, *PHW;
typedef struct _AD { NDIS_HANDLE H; PHW Hw; } AD, *PAD;
NDIS_STATUS Probe(PAD a);
VOID FreeRes(PAD a)
{
    PHW hw;
    if (NULL != a->Hw) {
        hw = a->Hw;
        if (NULL != hw->Va)
            NdisMUnmapIoSpace(a->H, hw->Va, hw->Len);
    }
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PAD a = (PAD)c;
    PHW hw = a->Hw;
    NDIS_STATUS s = NdisMMapIoSpace(&hw->Va, h, hw->Pa, hw->Len);
    if (s != NDIS_STATUS_SUCCESS) return s;
    hw->Sar = (PSAR)hw->Va;
    NdisWriteRegisterUlong(&hw->Sar->Intr, 1);
    s = Probe(a);
    if (NDIS_STATUS_SUCCESS != s)
        FreeRes(a);
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeRes((PAD)c); }
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);
