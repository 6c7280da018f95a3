/*
 * NDIS 5 miniport (NDIS_MINIPORT_CHARACTERISTICS): NdisMRegisterInterrupt
 * takes the address of the interrupt object, and so does
 * NdisMDeregisterInterrupt. Halt deregisters it; one failure path of
 * MiniportInitialize after the registration forgets to.
 */
#include <ndis.h>

typedef struct _NE_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    NDIS_MINIPORT_INTERRUPT Interrupt;
    UINT Vector;
} NE_ADAPTER, *PNE_ADAPTER;

NDIS_STATUS NeCardSetup(PNE_ADAPTER Adapter);
NDIS_STATUS NeReadAddress(PNE_ADAPTER Adapter);

static NDIS_STATUS NTAPI
NeInitialize(
    OUT PNDIS_STATUS OpenErrorStatus,
    OUT PUINT SelectedMediumIndex,
    IN PNDIS_MEDIUM MediumArray,
    IN UINT MediumArraySize,
    IN NDIS_HANDLE MiniportAdapterHandle,
    IN NDIS_HANDLE WrapperConfigurationContext)
{
    PNE_ADAPTER Adapter;
    NDIS_STATUS Status;

    Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(NE_ADAPTER), 'AEN');
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    NdisZeroMemory(Adapter, sizeof(NE_ADAPTER));
    Adapter->MiniportAdapterHandle = MiniportAdapterHandle;

    Status = NdisMRegisterInterrupt(&Adapter->Interrupt, MiniportAdapterHandle, Adapter->Vector, Adapter->Vector, FALSE, FALSE, NdisInterruptLatched);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status;
    }

    if (NeCardSetup(Adapter) != NDIS_STATUS_SUCCESS) {
        NdisMDeregisterInterrupt(&Adapter->Interrupt);
        NdisFreeMemory(Adapter, 0, 0);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }

    Status = NeReadAddress(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status; // EXPECT: ndis/init-register-interrupt:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID NTAPI
NeHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
    PNE_ADAPTER Adapter = (PNE_ADAPTER)MiniportAdapterContext;

    NdisMDeregisterInterrupt(&Adapter->Interrupt);
    NdisFreeMemory(Adapter, 0, 0);
}

NTSTATUS
DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS Chars;
    NDIS_HANDLE Wrapper;

    NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&Chars, sizeof(Chars));
    Chars.MajorNdisVersion = 5;
    Chars.InitializeHandler = NeInitialize;
    Chars.HaltHandler = NeHalt;
    return NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
}
