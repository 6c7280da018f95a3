/*
 * NDIS 6 miniport: registers its interrupt, then fails initialize when the
 * chip does not answer without deregistering it; halt never deregisters it.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE InterruptHandle;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;
MINIPORT_ISR MpIsr;
MINIPORT_INTERRUPT_DPC MpDpc;

NDIS_STATUS HwReset(PADAPTER Adapter);

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter;
    NDIS_STATUS Status;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS Intr;

    Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), 'tdpA', NormalPoolPriority);
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->AdapterHandle = MiniportAdapterHandle;

    NdisZeroMemory(&Intr, sizeof(Intr));
    Intr.InterruptHandler = MpIsr;
    Intr.InterruptDpcHandler = MpDpc;
    Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter, &Intr, &Adapter->InterruptHandle); // EXPECT: ndis/init-register-interrupt:leakInHalt
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status;
    }

    Status = HwReset(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status; // EXPECT: ndis/init-register-interrupt:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisFreeMemory(Adapter, 0, 0);
}

BOOLEAN
MpIsr(NDIS_HANDLE Context, PBOOLEAN QueueDefault, PULONG TargetProcessors)
{
    return FALSE;
}

VOID
MpDpc(NDIS_HANDLE Context, PVOID DpcContext, PVOID R1, PVOID R2)
{
}
