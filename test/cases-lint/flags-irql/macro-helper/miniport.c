/* Real-code shape: the IRQL is asked through the driver's macro, reported at the macro use; a debug macro that asserts is not. */
#include <ndis.h>

#define NIC_AT_DISPATCH() (KeGetCurrentIrql() == DISPATCH_LEVEL)
#define NIC_ASSERT_IRQL() ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL)

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK RxLock; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NIC_ASSERT_IRQL();
    if (NIC_AT_DISPATCH()) // EXPECT: ndis/flags-irql:throughMacro
        NdisDprAcquireSpinLock(&nic->RxLock);
    else
        NdisAcquireSpinLock(&nic->RxLock);
    if (NIC_AT_DISPATCH()) // EXPECT: ndis/flags-irql:throughMacro
        NdisDprReleaseSpinLock(&nic->RxLock);
    else
        NdisReleaseSpinLock(&nic->RxLock);
}
