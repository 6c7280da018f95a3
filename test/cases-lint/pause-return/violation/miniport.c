/* MiniportPause fails when a reset is in progress: reported at that return. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; BOOLEAN InReset; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_PAUSE NicPause;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    if (nic->InReset)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/pause-return:returnsConstant
    return NDIS_STATUS_SUCCESS;
}
