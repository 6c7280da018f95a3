/*
 * Real-code shape (NDIS 5 samples): halt does not cancel a one-shot link timer but waits
 * for every outstanding reference, the timer's among them, on an event: not reported.
 * A periodic timer never stops by itself, so the same wait does not excuse it.
 */
#include <ndis.h>

typedef struct _NIC {
    NDIS_HANDLE Handle;
    NDIS_MINIPORT_TIMER LinkTimer;
    NDIS_MINIPORT_TIMER StatsTimer;
    NDIS_EVENT ExitEvent;
    LONG Refs;
} NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    PNIC nic;
    NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(NIC), 'ciNx');
    NdisInterlockedIncrement(&nic->Refs);
    NdisMSetTimer(&nic->LinkTimer, 4000);
    NdisMSetPeriodicTimer(&nic->StatsTimer, 1000); // EXPECT: ndis/cancel-timer-object
    return NDIS_STATUS_SUCCESS;
}

static VOID NicHalt(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    if (NdisInterlockedDecrement(&nic->Refs) != 0)
        NdisWaitEvent(&nic->ExitEvent, 0);
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
