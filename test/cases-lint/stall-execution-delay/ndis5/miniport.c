/* NDIS 5: registered in NDIS_MINIPORT_CHARACTERISTICS; the stall in the ISR spins at device IRQL. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    return NDIS_STATUS_SUCCESS;
}

static VOID NicHalt(NDIS_HANDLE c) { }

static VOID NicIsr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt, NDIS_HANDLE c)
{
    NdisStallExecution(0x100); // EXPECT: ndis/stall-execution-delay
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS chars;
    NDIS_HANDLE wrapper;
    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&chars, sizeof(chars));
    chars.MajorNdisVersion = 5;
    chars.InitializeHandler = NicInitialize;
    chars.HaltHandler = NicHalt;
    chars.ISRHandler = NicIsr;
    return NdisMRegisterMiniport(wrapper, &chars, sizeof(chars));
}
