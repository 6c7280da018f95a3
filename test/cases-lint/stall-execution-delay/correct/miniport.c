/* Short stalls in a polling loop, a variable delay, and NdisMSleep for the long wait: nothing to report. */
#include <ndis.h>

#define PHY_POLL_US 20
#define PHY_SETTLE_US 50

typedef struct _NIC { NDIS_HANDLE Handle; PUCHAR Regs; ULONG Delay; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

static BOOLEAN NicWaitPhy(PNIC nic)
{
    ULONG i;
    UCHAR v;
    for (i = 0; i < 500; i++) {
        NdisRawReadPortUchar(nic->Regs, &v);
        if (v & 1)
            return TRUE;
        NdisStallExecution(PHY_POLL_US);
    }
    return FALSE;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    NdisStallExecution(PHY_SETTLE_US);
    NdisStallExecution(nic->Delay);
    NdisMSleep(10000);
    return NicWaitPhy(nic) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
