/*
 * Real-code shape: the work item is allocated into a local, tested with !,
 * then stored in the adapter; a cleanup helper shared with halt frees it
 * when it is not NULL and clears the field. A second work item is
 * allocated on a path that can still fail, and that path forgets it.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE LinkWorkItem;
    NDIS_HANDLE StatsWorkItem;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwReadMac(PADAPTER Adapter);

static VOID
MpCleanup(PADAPTER Adapter)
{
    if (Adapter->LinkWorkItem) {
        NdisFreeIoWorkItem(Adapter->LinkWorkItem);
        Adapter->LinkWorkItem = NULL;
    }
    if (Adapter->StatsWorkItem != NULL)
        NdisFreeIoWorkItem(Adapter->StatsWorkItem);
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;
    NDIS_HANDLE WorkItem;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    Adapter->LinkWorkItem = NULL;
    Adapter->StatsWorkItem = NULL;

    WorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
    if (!WorkItem)
        return NDIS_STATUS_RESOURCES;
    Adapter->LinkWorkItem = WorkItem;

    Status = HwReadMac(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        MpCleanup(Adapter);
        return Status;
    }

    Adapter->StatsWorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
    if (Adapter->StatsWorkItem == NULL) {
        MpCleanup(Adapter);
        return NDIS_STATUS_RESOURCES;
    }

    Status = HwReadMac(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeIoWorkItem(Adapter->LinkWorkItem);
        return Status; // EXPECT: ndis/init-io-workitem:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    MpCleanup((PADAPTER)MiniportAdapterContext);
}
