/* NDIS 5: NdisAllocateMemoryWithTag with a tag of 0 is reported; a real tag is not. */
#include <ndis.h>

#define NIC_TAG 'ciNx'

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    PNIC nic;
    PVOID scratch;
    if (NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(NIC), NIC_TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    return NdisAllocateMemoryWithTag(&scratch, 256, 0); // EXPECT: ndis/allocate-memory-tag
}

static VOID NicHalt(NDIS_HANDLE c) { }

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS chars;
    NDIS_HANDLE wrapper;
    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&chars, sizeof(chars));
    chars.InitializeHandler = NicInitialize;
    chars.HaltHandler = NicHalt;
    return NdisMRegisterMiniport(wrapper, &chars, sizeof(chars));
}
