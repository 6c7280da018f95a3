/*
 * Callbacks known by their registration: the NDIS 6 send handler is reported;
 * the NDIS 5 send handler (its Flags are packet flags, no IRQL) is not.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

static NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
static VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static VOID NicSendNbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    BOOLEAN dispatch = KeGetCurrentIrql() == DISPATCH_LEVEL; // EXPECT: ndis/flags-irql
    UNREFERENCED_PARAMETER(dispatch);
}

static NDIS_STATUS NicSend5(NDIS_HANDLE ctx, PNDIS_PACKET packet, UINT flags)
{
    return KeGetCurrentIrql() == DISPATCH_LEVEL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_PENDING;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    NDIS_MINIPORT_CHARACTERISTICS chars5;
    NDIS_HANDLE driver;
    NdisZeroMemory(&chars, sizeof(chars));
    chars.InitializeHandlerEx = NicInitialize;
    chars.HaltHandlerEx = NicHalt;
    chars.SendNetBufferListsHandler = NicSendNbls;
    chars5.SendHandler = NicSend5;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &driver);
}
