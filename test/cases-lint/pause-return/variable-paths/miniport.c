/* A status variable that keeps its failure value on one path: reported at the return, once. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; BOOLEAN Running; LONG Outstanding; } NIC, *PNIC;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NDIS_STATUS Status = NDIS_STATUS_NOT_ACCEPTED;

    do {
        if (!nic->Running)
            break;
        nic->Running = FALSE;
        Status = nic->Outstanding ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
    } while (FALSE);

    return Status; // EXPECT: ndis/pause-return:returnsVariable
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    NDIS_HANDLE driver;
    NdisZeroMemory(&chars, sizeof(chars));
    chars.InitializeHandlerEx = NicInitialize;
    chars.HaltHandlerEx = NicHalt;
    chars.PauseHandler = NicPause;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &driver);
}
