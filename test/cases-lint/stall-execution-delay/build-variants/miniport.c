/* A delay defined one way per build: no one value, so nothing is reported for it; the plain 60 is. */
#include <ndis.h>

#ifdef NIC_SLOW_PHY
#define PHY_DELAY_US 200
#else
#define PHY_DELAY_US 20
#endif

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NdisStallExecution(PHY_DELAY_US);
    NdisStallExecution(60); // EXPECT: ndis/stall-execution-delay
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
