/* Two timers set; halt cancels only the watchdog: the link timer is reported where it is set. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Watchdog; NDIS_HANDLE LinkTimer; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESTART NicRestart;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }

NDIS_STATUS NicRestart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    LARGE_INTEGER due;
    due.QuadPart = -10000000;
    NdisSetTimerObject(nic->Watchdog, due, 2000, nic);
    NdisSetTimerObject(nic->LinkTimer, due, 0, nic); // EXPECT: ndis/cancel-timer-object:neverCancelled
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NdisCancelTimerObject(nic->Watchdog);
    NdisFreeTimerObject(nic->Watchdog);
}
