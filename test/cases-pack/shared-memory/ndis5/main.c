/*
 * NDIS 5 miniport: MiniportInitialize allocates shared memory (the same
 * call in NDIS 5), and the NDIS 5 shutdown handler frees it.
 */
#include <ndis.h>

#define BUF_BYTES 0x800

typedef struct _NE_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    PVOID BufVa;
    NDIS_PHYSICAL_ADDRESS BufPa;
} NE_ADAPTER, *PNE_ADAPTER;

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
    NdisMAllocateSharedMemory(MiniportAdapterHandle, BUF_BYTES, FALSE, &Adapter->BufVa, &Adapter->BufPa);
    if (Adapter->BufVa == NULL) {
        NdisFreeMemory(Adapter, 0, 0);
        return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID NTAPI
NeHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
    PNE_ADAPTER Adapter = (PNE_ADAPTER)MiniportAdapterContext;

    NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, BUF_BYTES, FALSE, Adapter->BufVa, Adapter->BufPa);
    NdisFreeMemory(Adapter, 0, 0);
}

static VOID NTAPI
NeShutdown(IN PVOID ShutdownContext)
{
    PNE_ADAPTER Adapter = (PNE_ADAPTER)ShutdownContext;

    NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, BUF_BYTES, FALSE, Adapter->BufVa, Adapter->BufPa); // EXPECT: ndis/shared-memory:freeInShutdown
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
    NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
    NdisMRegisterAdapterShutdownHandler(NULL, NULL, NeShutdown);
    return STATUS_SUCCESS;
}
