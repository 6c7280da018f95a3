/**
 * Small drivers written for the command line's tests (from scratch): a
 * helper in its own folder that maps registers, called from initialize and
 * from reset, so the one finding is in the helper's file and its reason
 * (the reset callback) in another.
 */
export const RESET_MAPS: Record<string, string> = {
  'nic.h': `typedef struct _NIC { NDIS_HANDLE Handle; PVOID Bar0; NDIS_PHYSICAL_ADDRESS Pa; } NIC, *PNIC;
NDIS_STATUS NicMapRegs(PNIC Nic);
`,
  'hw/regs.c': `#include "../nic.h"
NDIS_STATUS NicMapRegs(PNIC Nic)
{
    return NdisMMapIoSpace(&Nic->Bar0, Nic->Handle, Nic->Pa, 0x400);
}
`,
  'nic.c': `#include "nic.h"
MINIPORT_INITIALIZE NicInit;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
NDIS_STATUS NicInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC Nic = (PNIC)c;
    Nic->Handle = h;
    return NicMapRegs(Nic);
}
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC Nic = (PNIC)c;
    NdisMUnmapIoSpace(Nic->Handle, Nic->Bar0, 0x400);
}
NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    return NicMapRegs((PNIC)c);
}
`,
};

/**
 * An initialize whose length is wrong at unmap (a warning) and whose
 * failure path leaks (an error), with `before` inserted above the unmap line
 * and `after` at its end, to place directives.
 */
export function lengthAndLeak(beforeUnmap = '', onUnmapLine = ''): string {
  return `typedef struct _A { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } A, *PA;
MINIPORT_INITIALIZE Init;
MINIPORT_HALT Halt;
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)
{
    PA a = (PA)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, 0x100);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Start(a);
    if (s != NDIS_STATUS_SUCCESS) return s;
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, ULONG x)
{
    PA a = (PA)c;
${beforeUnmap}    NdisMUnmapIoSpace(a->H, a->Regs, 0x80);${onUnmapLine}
}
`;
}
