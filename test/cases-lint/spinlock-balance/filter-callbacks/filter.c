/*
 * An NDIS 6 lightweight filter (the ndislwf sample's shape): no initialize or halt, callbacks known by
 * their FILTER_* role types or by NDIS_FILTER_DRIVER_CHARACTERISTICS, spin locks taken through the
 * sample's FILTER_ACQUIRE_LOCK macro, and a WFP callout. Each callback the lock rule walks: a path that returns with the
 * lock held is reported; FilterPause is a pause callback, which may not fail.
 */
#include <ndis.h>

typedef struct _MS_FILTER { NDIS_SPIN_LOCK Lock; NDIS_HANDLE FilterHandle; ULONG State; ULONG Options; } MS_FILTER, *PMS_FILTER;

#define FILTER_ACQUIRE_LOCK(_pLock, DispatchLevel) \
    {                                              \
        if (DispatchLevel)                         \
            NdisDprAcquireSpinLock(_pLock);        \
        else                                       \
            NdisAcquireSpinLock(_pLock);           \
    }
#define FILTER_RELEASE_LOCK(_pLock, DispatchLevel) \
    {                                              \
        if (DispatchLevel)                         \
            NdisDprReleaseSpinLock(_pLock);        \
        else                                       \
            NdisReleaseSpinLock(_pLock);           \
    }

FILTER_ATTACH FilterAttach;
FILTER_PAUSE FilterPause;
FILTER_SET_MODULE_OPTIONS FilterSetModuleOptions;

NDIS_STATUS FilterAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext, PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterDriverContext;
    BOOLEAN bFalse = FALSE;
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, bFalse);
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER; // EXPECT: ndis/spinlock-balance:heldAtReturn
    pFilter->State = 1;
    FILTER_RELEASE_LOCK(&pFilter->Lock, bFalse);
    return NDIS_STATUS_SUCCESS;
}

VOID FilterDetach(NDIS_HANDLE FilterModuleContext)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    NdisAcquireSpinLock(&pFilter->Lock);
    pFilter->State = 0;
} // EXPECT: ndis/spinlock-balance:heldAtReturn

NDIS_STATUS FilterPause(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    BOOLEAN bFalse = FALSE;
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, bFalse);
    pFilter->State = 2;
    FILTER_RELEASE_LOCK(&pFilter->Lock, bFalse);
    return NDIS_STATUS_FAILURE; // EXPECT: ndis/pause-return
}

NDIS_STATUS FilterSetModuleOptions(NDIS_HANDLE FilterModuleContext)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    NdisAcquireSpinLock(&pFilter->Lock);
    if (pFilter->Options == 0)
        return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&pFilter->Lock);
    return NDIS_STATUS_SUCCESS;
}

VOID FilterCancelSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PVOID CancelId)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    NdisDprAcquireSpinLock(&pFilter->Lock);
    if (pFilter->State == 0)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisDprReleaseSpinLock(&pFilter->Lock);
}

NDIS_STATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS FChars;
    NDIS_HANDLE FilterDriverHandle;
    NdisZeroMemory(&FChars, sizeof(FChars));
    FChars.AttachHandler = FilterAttach;
    FChars.DetachHandler = FilterDetach;
    FChars.PauseHandler = FilterPause;
    FChars.SetFilterModuleOptionsHandler = FilterSetModuleOptions;
    FChars.CancelSendNetBufferListsHandler = FilterCancelSendNetBufferLists;
    return NdisFRegisterFilterDriver(DriverObject, NULL, &FChars, &FilterDriverHandle);
}

/* A WFP callout's classify function (Npcap's loopback capture registers them beside its filter). */
VOID ClassifyInbound(const FWPS_INCOMING_VALUES *Values, const FWPS_INCOMING_METADATA_VALUES *Meta, PVOID Data, const VOID *Context, const FWPS_FILTER *Filter, UINT64 Flow, FWPS_CLASSIFY_OUT *Out)
{
    PMS_FILTER pFilter = (PMS_FILTER)Filter->context;
    NdisAcquireSpinLock(&pFilter->Lock);
    if (pFilter->State == 0)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&pFilter->Lock);
}

NTSTATUS RegisterCallout(PDEVICE_OBJECT DeviceObject)
{
    FWPS_CALLOUT sCallout = {0};
    sCallout.classifyFn = ClassifyInbound;
    return FwpsCalloutRegister(DeviceObject, &sCallout, NULL);
}
