/* A reset that waits 1 ms for the PHY by spinning: reported at the stall. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; PUCHAR Regs; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NdisStallExecution(10);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisRawWritePortUchar(nic->Regs, 1);
    NdisStallExecution(1000); // EXPECT: ndis/stall-execution-delay:direct
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}
