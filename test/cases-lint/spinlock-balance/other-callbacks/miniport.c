/*
 * Callbacks beyond a miniport's own: a CoNDIS create-VC handler, a CoNDIS call manager's open-AF handler, a protocol's request-complete
 * handler (the MUX samples), a KMDF work item and completion routine (NDISEdge), an NDIS poll handler
 * (virtio-net) and IRP dispatch routines registered by their major function code.
 * Each is a callback the lock rule walks: a path that returns with the lock held is reported.
 */
#include <ndis.h>

typedef struct _ADAPTER { NDIS_SPIN_LOCK Lock; LIST_ENTRY Vcs; ULONG Requests; ULONG Polls; } ADAPTER, *PADAPTER;
typedef struct _VC { LIST_ENTRY Link; PADAPTER Adapter; } VC, *PVC;

NDIS_STATUS CreateVc(NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE NdisVcHandle, PNDIS_HANDLE MiniportVcContext)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    PVC Vc = (PVC)*MiniportVcContext;
    NdisAcquireSpinLock(&Adapter->Lock);
    InsertHeadList(&Adapter->Vcs, &Vc->Link);
    if (Vc->Adapter == NULL)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&Adapter->Lock);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS CmOpenAf(NDIS_HANDLE CallMgrBindingContext, PCO_ADDRESS_FAMILY AddressFamily, NDIS_HANDLE NdisAfHandle, PNDIS_HANDLE CallMgrAfContext)
{
    PADAPTER Adapter = (PADAPTER)CallMgrBindingContext;
    NdisAcquireSpinLock(&Adapter->Lock);
    Adapter->Requests++;
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

VOID PtRequestComplete(NDIS_HANDLE ProtocolBindingContext, PNDIS_REQUEST Request, NDIS_STATUS Status)
{
    PADAPTER Adapter = (PADAPTER)ProtocolBindingContext;
    NdisAcquireSpinLock(&Adapter->Lock);
    Adapter->Requests++;
    if (Status != NDIS_STATUS_SUCCESS)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&Adapter->Lock);
}

VOID RequestWorkItem(WDFWORKITEM WorkItem)
{
    PADAPTER Adapter = GetAdapter(WorkItem);
    NdisAcquireSpinLock(&Adapter->Lock);
    Adapter->Requests--;
} // EXPECT: ndis/spinlock-balance:heldAtReturn

VOID Poll(PVOID Context, PNDIS_POLL_RECEIVE_DATA Receive, PNDIS_POLL_TRANSMIT_DATA Transmit)
{
    PADAPTER Adapter = (PADAPTER)Context;
    NdisDprAcquireSpinLock(&Adapter->Lock);
    Adapter->Polls++;
    NdisDprReleaseSpinLock(&Adapter->Lock);
}

VOID ReadComplete(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params, WDFCONTEXT Context)
{
    PADAPTER Adapter = (PADAPTER)Context;
    NdisAcquireSpinLock(&Adapter->Lock);
    if (Params->IoStatus.Status != STATUS_SUCCESS)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&Adapter->Lock);
}

NTSTATUS DeviceIoControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PADAPTER Adapter = (PADAPTER)DeviceObject->DeviceExtension;
    NdisAcquireSpinLock(&Adapter->Lock);
    if (Adapter->Requests > 4)
        return STATUS_INVALID_PARAMETER; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&Adapter->Lock);
    return STATUS_SUCCESS;
}

NTSTATUS DeviceClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PADAPTER Adapter = (PADAPTER)DeviceObject->DeviceExtension;
    NdisAcquireSpinLock(&Adapter->Lock);
    Adapter->Requests = 0;
    return STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

VOID StartRead(PADAPTER Adapter, WDFREQUEST Request)
{
    WdfRequestSetCompletionRoutine(Request, ReadComplete, Adapter);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS MChars;
    NDIS_PROTOCOL_CHARACTERISTICS PChars;
    NDIS_CALL_MANAGER_CHARACTERISTICS McmChars;
    NDIS_POLL_CHARACTERISTICS PollChars;
    WDF_WORKITEM_CONFIG Config;
    PDRIVER_DISPATCH DispatchTable[IRP_MJ_MAXIMUM_FUNCTION + 1];
    MChars.CoCreateVcHandler = CreateVc;
    PChars.RequestCompleteHandler = PtRequestComplete;
    McmChars.CmOpenAfHandler = CmOpenAf;
    PollChars.PollHandler = Poll;
    WDF_WORKITEM_CONFIG_INIT(&Config, RequestWorkItem);
    DispatchTable[IRP_MJ_DEVICE_CONTROL] = DeviceIoControl;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = DeviceClose;
    return STATUS_SUCCESS;
}
