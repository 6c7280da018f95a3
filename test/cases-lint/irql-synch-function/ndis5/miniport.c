/* NDIS 5: the ISR and the interrupt disable callback registered in NDIS_MINIPORT_CHARACTERISTICS. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    return NDIS_STATUS_SUCCESS;
}

static VOID NicHalt(NDIS_HANDLE c) { }

static VOID NicIsr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt, NDIS_HANDLE c)
{
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

static VOID NicDisableInterrupt(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock); // EXPECT: ndis/irql-synch-function
    NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/irql-synch-function
}

static VOID NicHandleInterrupt(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NdisDprAcquireSpinLock(&nic->Lock);
    NdisDprReleaseSpinLock(&nic->Lock);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS chars;
    NDIS_HANDLE wrapper;
    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&chars, sizeof(chars));
    chars.InitializeHandler = NicInitialize;
    chars.HaltHandler = NicHalt;
    chars.ISRHandler = NicIsr;
    chars.HandleInterruptHandler = NicHandleInterrupt;
    chars.DisableInterruptHandler = NicDisableInterrupt;
    return NdisMRegisterMiniport(wrapper, &chars, sizeof(chars));
}
