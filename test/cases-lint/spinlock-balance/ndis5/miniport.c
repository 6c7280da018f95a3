/* NDIS 5: MiniportHandleInterrupt falls off its end holding the lock on one path (reported at the closing brace). */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Pending; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    return NDIS_STATUS_SUCCESS;
}

static VOID NicHalt(NDIS_HANDLE c) { }

static VOID NicHandleInterrupt(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NdisDprAcquireSpinLock(&nic->Lock);
    if (nic->Pending == 0) {
        NdisDprReleaseSpinLock(&nic->Lock);
        return;
    }
    nic->Pending = 0;
} // EXPECT: ndis/spinlock-balance:heldAtReturn

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS chars;
    NDIS_HANDLE wrapper;
    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&chars, sizeof(chars));
    chars.InitializeHandler = NicInitialize;
    chars.HaltHandler = NicHalt;
    chars.HandleInterruptHandler = NicHandleInterrupt;
    return NdisMRegisterMiniport(wrapper, &chars, sizeof(chars));
}
