/* The flag is tested; an assertion of the IRQL and a helper shared with a timer may ask: nothing to report. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK SendLock; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;
NDIS_TIMER_FUNCTION NicWatchdog;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static VOID NicKickTx(PNIC nic)
{
    if (KeGetCurrentIrql() < DISPATCH_LEVEL)
        NdisAcquireSpinLock(&nic->SendLock);
    else
        NdisDprAcquireSpinLock(&nic->SendLock);
    if (KeGetCurrentIrql() < DISPATCH_LEVEL)
        NdisReleaseSpinLock(&nic->SendLock);
    else
        NdisDprReleaseSpinLock(&nic->SendLock);
}

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    if (NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags))
        NdisDprAcquireSpinLock(&nic->SendLock);
    else
        NdisAcquireSpinLock(&nic->SendLock);
    if (NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags))
        NdisDprReleaseSpinLock(&nic->SendLock);
    else
        NdisReleaseSpinLock(&nic->SendLock);
    NicKickTx(nic);
}

VOID NicWatchdog(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
    NicKickTx((PNIC)ctx);
}
