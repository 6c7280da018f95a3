/* Success or pending on every path, through a status variable and a #define of the driver's. */
#include <ndis.h>

#define NIC_PAUSE_DONE NDIS_STATUS_SUCCESS

typedef struct _NIC { NDIS_HANDLE Handle; LONG Outstanding; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_PAUSE NicPause;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NDIS_STATUS status = NDIS_STATUS_FAILURE;

    if (nic->Outstanding == 0) {
        status = NIC_PAUSE_DONE;
    } else {
        status = NDIS_STATUS_PENDING;
    }
    if (status != NDIS_STATUS_SUCCESS && status != NDIS_STATUS_PENDING)
        return NDIS_STATUS_FAILURE;
    return status;
}
