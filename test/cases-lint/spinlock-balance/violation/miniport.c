/* The four mistakes: an early return holding the lock, a Dpr mismatch, a second acquire, a release not held. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK SendLock; NDIS_SPIN_LOCK RecvLock; ULONG Queued; BOOLEAN Paused; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_CHECK_FOR_HANG NicCheckForHang;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    NdisReleaseSpinLock(&nic->RecvLock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
}

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NdisAcquireSpinLock(&nic->SendLock);
    if (nic->Paused)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    nic->Queued++;
    NdisReleaseSpinLock(&nic->SendLock);
}

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NdisDprAcquireSpinLock(&nic->RecvLock);
    nic->Queued--;
    NdisReleaseSpinLock(&nic->RecvLock); // EXPECT: ndis/spinlock-balance:dprMismatch
}

BOOLEAN NicCheckForHang(NDIS_HANDLE MiniportAdapterContext)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NdisAcquireSpinLock(&nic->SendLock);
    if (nic->Queued)
        NdisAcquireSpinLock(&nic->SendLock); // EXPECT: ndis/spinlock-balance:acquireHeld
    NdisReleaseSpinLock(&nic->SendLock);
    return FALSE;
}
