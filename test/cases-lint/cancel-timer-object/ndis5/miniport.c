/* NDIS 5: NdisMSetTimer on &Adapter->Timer; halt cancels the link timer but not the reset timer. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_MINIPORT_TIMER LinkTimer; NDIS_MINIPORT_TIMER ResetTimer; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    PNIC nic;
    NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(NIC), 'ciNx');
    NdisMSetPeriodicTimer(&nic->LinkTimer, 2000);
    NdisMSetTimer(&nic->ResetTimer, 100); // EXPECT: ndis/cancel-timer-object
    return NDIS_STATUS_SUCCESS;
}

static VOID NicHalt(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    BOOLEAN cancelled;
    NdisMCancelTimer(&nic->LinkTimer, &cancelled);
}

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
