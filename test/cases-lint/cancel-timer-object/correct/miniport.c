/* Halt cancels one timer through a helper and frees the other; pause cancels a third: nothing to report. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Watchdog; NDIS_HANDLE LinkTimer; NDIS_HANDLE StatsTimer; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_PAUSE NicPause;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    LARGE_INTEGER due;
    due.QuadPart = -10000000;
    NdisSetTimerObject(nic->Watchdog, due, 2000, nic);
    NdisSetTimerObject(nic->LinkTimer, due, 0, nic);
    NdisSetTimerObject(nic->StatsTimer, due, 1000, nic);
    return NDIS_STATUS_SUCCESS;
}

static VOID NicStopTimers(PNIC nic)
{
    NdisCancelTimerObject(nic->Watchdog);
}

NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    NdisCancelTimerObject(((PNIC)MiniportAdapterContext)->StatsTimer);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicStopTimers(nic);
    if (nic->LinkTimer)
        NdisFreeTimerObject(nic->LinkTimer);
}
