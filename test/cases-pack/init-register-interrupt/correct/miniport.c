/*
 * NDIS 6 miniport: a goto ladder deregisters the interrupt on every failure
 * after it was registered, and halt deregisters it. No findings.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE InterruptHandle;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwReset(PADAPTER Adapter);
NDIS_STATUS HwStart(PADAPTER Adapter);
extern NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MpInterruptChars;

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter;
    NDIS_STATUS Status;

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), 'tdpA', NormalPoolPriority);
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->AdapterHandle = MiniportAdapterHandle;

    Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter, &MpInterruptChars, &Adapter->InterruptHandle);
    if (Status != NDIS_STATUS_SUCCESS)
        goto err_free;

    Status = HwReset(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto err_deregister;

    Status = HwStart(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto err_deregister;

    return NDIS_STATUS_SUCCESS;

err_deregister:
    NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
err_free:
    NdisFreeMemory(Adapter, 0, 0);
    return Status;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
    NdisFreeMemory(Adapter, 0, 0);
}
