/* Tests stored before they are read: the context NDIS never passes as NULL, and a flag of the driver's. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; BOOLEAN Running; LONG Outstanding; } NIC, *PNIC;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    BOOLEAN gone = !nic;
    BOOLEAN busy;

    /* Never true: NDIS hands the context it was given. */
    if (gone)
        return NDIS_STATUS_FAILURE;

    busy = (nic->Outstanding != 0);
    if (busy)
        return NDIS_STATUS_PENDING;
    if (nic->Running == FALSE)
        return NDIS_STATUS_NOT_ACCEPTED; // EXPECT: ndis/pause-return:returnsConstant
    return NDIS_STATUS_SUCCESS;
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
