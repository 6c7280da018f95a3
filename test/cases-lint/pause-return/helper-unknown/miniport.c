/*
 * What a helper returns, a variable whose address is taken, a failure only on an impossible path,
 * and a failure only when NDIS would pass a NULL adapter context (it never does): never reported.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; LONG Outstanding; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_PAUSE NicPause;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static NDIS_STATUS NicStopDatapath(PNIC nic, NDIS_STATUS *out);

NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NDIS_STATUS status = NDIS_STATUS_FAILURE;
    NDIS_STATUS other = NDIS_STATUS_FAILURE;

    if (!nic)
        return NDIS_STATUS_FAILURE;
    if (PauseParameters == NULL)
        return NDIS_STATUS_INVALID_PARAMETER;

    NicStopDatapath(nic, &other);
    if (nic->Outstanding)
        return other;
    status = NDIS_STATUS_SUCCESS;
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    return NicStopDatapath(nic, NULL);
}
