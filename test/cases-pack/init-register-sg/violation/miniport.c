/*
 * Registers scatter/gather DMA in initialize. Halt forgets to deregister it,
 * and the failure path after the receive ring cannot be allocated leaves
 * it registered.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE DmaHandle;
    PVOID RxRing;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;
MINIPORT_PROCESS_SG_LIST MpProcessSgList;

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter;
    NDIS_STATUS Status;
    NDIS_SG_DMA_DESCRIPTION Dma;

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), 'tdpA', NormalPoolPriority);
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->AdapterHandle = MiniportAdapterHandle;

    NdisZeroMemory(&Dma, sizeof(Dma));
    Dma.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
    Dma.ProcessSGListHandler = MpProcessSgList;
    Status = NdisMRegisterScatterGatherDma(MiniportAdapterHandle, &Dma, &Adapter->DmaHandle); // EXPECT: ndis/init-register-sg:leakInHalt
    if (Status != NDIS_STATUS_SUCCESS)
        goto fail;

    Adapter->RxRing = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, 4096, 'gniR', NormalPoolPriority);
    if (Adapter->RxRing == NULL) {
        Status = NDIS_STATUS_RESOURCES;
        goto fail; // EXPECT: ndis/init-register-sg:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;

fail:
    NdisFreeMemory(Adapter, 0, 0);
    return Status;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisFreeMemory(Adapter->RxRing, 0, 0);
    NdisFreeMemory(Adapter, 0, 0);
}

VOID
MpProcessSgList(PDEVICE_OBJECT Dev, PVOID Reserved, PSCATTER_GATHER_LIST Sgl, PVOID Context)
{
}
