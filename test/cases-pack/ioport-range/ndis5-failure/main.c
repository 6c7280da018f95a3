/*
 * NDIS 5 miniport: MiniportInitialize registers the card's ports, then a
 * failure path after the registration returns without deregistering.
 * Halt deregisters the same range.
 */
#include <ndis.h>

#define NE2000_NUMBER_OF_PORTS 0x20

typedef struct _NE_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    UINT IoBaseAddr;
    PVOID IoPAddr;
} NE_ADAPTER, *PNE_ADAPTER;

BOOLEAN NeCardTest(PNE_ADAPTER Adapter);

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
    Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
    Adapter->IoBaseAddr = 0x300;

    Status = NdisMRegisterIoPortRange((PVOID *)&Adapter->IoPAddr, MiniportAdapterHandle, Adapter->IoBaseAddr,
                                      NE2000_NUMBER_OF_PORTS);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(Adapter, 0, 0);
        return Status;
    }

    if (!NeCardTest(Adapter)) {
        NdisFreeMemory(Adapter, 0, 0);
        return NDIS_STATUS_ADAPTER_NOT_FOUND; // EXPECT: ndis/ioport-range:leakOnFailure
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID NTAPI
NeHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
    PNE_ADAPTER Adapter = (PNE_ADAPTER)MiniportAdapterContext;

    NdisMDeregisterIoPortRange(Adapter->MiniportAdapterHandle, Adapter->IoBaseAddr, NE2000_NUMBER_OF_PORTS,
                               (PVOID)Adapter->IoPAddr);
    NdisFreeMemory(Adapter, 0, 0);
}

NTSTATUS
DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS Chars;
    NDIS_HANDLE Wrapper;

    NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&Chars, sizeof(Chars));
    Chars.InitializeHandler = NeInitialize;
    Chars.HaltHandler = NeHalt;
    return NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
}
