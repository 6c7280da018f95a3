/*
 * A real-code shape (TI CPSW3G): halt cancels a timer through a global pointer that initialize points
 * at it (`ale_timer = &pAdapter->ALE_timer;`) and clears after the cancel. The pointer names the aging
 * timer, so the rule decides: the aging timer is cancelled, the statistics timer is not.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_MINIPORT_TIMER AgingTimer; NDIS_MINIPORT_TIMER StatsTimer; } NIC, *PNIC;

PNDIS_MINIPORT_TIMER g_AgingTimer = 0;

static VOID NicTimerFn(PVOID s, PVOID ctx, PVOID a, PVOID b) { }

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    PNIC nic;
    NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(NIC), 'ciNx');
    NdisMInitializeTimer(&nic->AgingTimer, MiniportAdapterHandle, NicTimerFn, nic);
    (PNDIS_MINIPORT_TIMER)g_AgingTimer = &nic->AgingTimer;
    NdisMSetPeriodicTimer(&nic->AgingTimer, 1000);
    NdisMSetPeriodicTimer(&nic->StatsTimer, 5000); // EXPECT: ndis/cancel-timer-object
    return NDIS_STATUS_SUCCESS;
}

static VOID NicStop(PNIC nic)
{
    BOOLEAN cancelled;
    if (g_AgingTimer != NULL)
    {
        NdisMCancelTimer((PNDIS_MINIPORT_TIMER)g_AgingTimer, &cancelled);
        if (cancelled)
            (PNDIS_MINIPORT_TIMER)g_AgingTimer = 0;
    }
}

static VOID NicHalt(NDIS_HANDLE c)
{
    NicStop((PNIC)c);
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
