/*
 * The work item is allocated inside the test of its result, freed on the
 * failure path after it and in halt. No findings.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE WorkItem;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwReadMac(PADAPTER Adapter);

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter;
    NDIS_STATUS Status;

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), 'tdpA', NormalPoolPriority);
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->AdapterHandle = MiniportAdapterHandle;

    if ((Adapter->WorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle)) == NULL) {
        Status = NDIS_STATUS_RESOURCES;
        goto free_adapter;
    }

    Status = HwReadMac(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto free_work_item;
    return NDIS_STATUS_SUCCESS;

free_work_item:
    NdisFreeIoWorkItem(Adapter->WorkItem);
free_adapter:
    NdisFreeMemory(Adapter, 0, 0);
    return Status;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisFreeIoWorkItem(Adapter->WorkItem);
    NdisFreeMemory(Adapter, 0, 0);
}
