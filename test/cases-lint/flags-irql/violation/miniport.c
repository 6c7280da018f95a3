/* The send callback asks for the IRQL although SendFlags says it: reported at the call. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK SendLock; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    if (KeGetCurrentIrql() == DISPATCH_LEVEL) { // EXPECT: ndis/flags-irql:direct
        NdisDprAcquireSpinLock(&nic->SendLock);
        NdisDprReleaseSpinLock(&nic->SendLock);
    }
}

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    KIRQL irql = KeGetCurrentIrql(); // EXPECT: ndis/flags-irql
    UNREFERENCED_PARAMETER(irql);
}
