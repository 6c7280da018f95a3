/*
 * Registers scatter/gather DMA in initialize, deregisters it on the one
 * failure path after it and in halt. No findings.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE DmaHandle;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwInitRings(PADAPTER Adapter);
extern NDIS_SG_DMA_DESCRIPTION MpDmaDescription;

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter;
    NDIS_STATUS Status;

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), 'tdpA', NormalPoolPriority);
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->AdapterHandle = MiniportAdapterHandle;

    Status = NdisMRegisterScatterGatherDma(MiniportAdapterHandle, &MpDmaDescription, &Adapter->DmaHandle);
    if (!NT_SUCCESS(Status)) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status;
    }

    Status = HwInitRings(Adapter);
    if (!NT_SUCCESS(Status)) {
        NdisMDeregisterScatterGatherDma(Adapter->DmaHandle);
        NdisFreeMemory(Adapter, 0, 0);
        return Status;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterScatterGatherDma(Adapter->DmaHandle);
    NdisFreeMemory(Adapter, 0, 0);
}
