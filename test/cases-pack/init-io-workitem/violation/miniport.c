/*
 * Allocates an I/O work item in initialize and checks it for NULL; the
 * failure after it does not free it, and halt never frees it.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE ResetWorkItem;
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

    Adapter->ResetWorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle); // EXPECT: ndis/init-io-workitem:leakInHalt
    if (Adapter->ResetWorkItem == NULL) {
        NdisFreeMemory(Adapter, 0, 0);
        return NDIS_STATUS_RESOURCES;
    }

    Status = HwReadMac(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status; // EXPECT: ndis/init-io-workitem:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    NdisFreeMemory(MiniportAdapterContext, 0, 0);
}
