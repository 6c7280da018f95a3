/*
 * Real-code shape: timers set and cancelled through helpers that take the handle as a
 * parameter; halt cancels the watchdog through the helper, but the reconnect timer is
 * cancelled only by the OID handler: reported at the set, in the helper.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Watchdog; NDIS_HANDLE Reconnect; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_OID_REQUEST NicOid;

static VOID NicArm(NDIS_HANDLE timer, LONG ms, PVOID ctx)
{
    LARGE_INTEGER due;
    due.QuadPart = -10000LL * ms;
    NdisSetTimerObject(timer, due, 0, ctx); // EXPECT: ndis/cancel-timer-object:cancelledElsewhere
}

static VOID NicDisarm(NDIS_HANDLE timer)
{
    NdisCancelTimerObject(timer);
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    NicArm(nic->Watchdog, 2000, nic);
    NicArm(nic->Reconnect, 500, nic);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    NicDisarm(((PNIC)c)->Reconnect);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicDisarm(nic->Watchdog);
}
