/* Balanced on every path: early exits release, a loop takes and releases each time, the Dpr forms pair. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK SendLock; ULONG Queued; BOOLEAN Paused; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;
MINIPORT_INTERRUPT_DPC NicDpc;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    NdisAllocateSpinLock(&nic->SendLock);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    NdisFreeSpinLock(&((PNIC)c)->SendLock);
}

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    PNET_BUFFER_LIST nbl;
    for (nbl = NetBufferLists; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        NdisAcquireSpinLock(&nic->SendLock);
        if (nic->Paused) {
            NdisReleaseSpinLock(&nic->SendLock);
            break;
        }
        nic->Queued++;
        NdisReleaseSpinLock(&nic->SendLock);
    }
}

VOID NicDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID r1, PVOID r2)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    NdisDprAcquireSpinLock(&nic->SendLock);
    do {
        if (nic->Queued == 0)
            break;
        nic->Queued--;
    } while (FALSE);
    NdisDprReleaseSpinLock(&nic->SendLock);
}
