/*
 * Reads the registry in initialize through a helper. The helper opens the
 * configuration, and one early return after a failed read leaves it open;
 * the success path closes it.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    ULONG SpeedDuplex;
    ULONG RxBuffers;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

static NDIS_STRING SpeedName = NDIS_STRING_CONST("SpeedDuplex");
static NDIS_STRING RxName = NDIS_STRING_CONST("RxBuffers");

static NDIS_STATUS
MpReadConfiguration(PADAPTER Adapter)
{
    NDIS_STATUS Status;
    NDIS_HANDLE Config;
    NDIS_CONFIGURATION_OBJECT Object;
    PNDIS_CONFIGURATION_PARAMETER Value;

    Object.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    Object.NdisHandle = Adapter->AdapterHandle;
    Object.Flags = 0;
    Status = NdisOpenConfigurationEx(&Object, &Config);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;

    NdisReadConfiguration(&Status, &Value, Config, &SpeedName, NdisParameterInteger);
    if (Status != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/open-configuration:notClosedOnFailure
    Adapter->SpeedDuplex = Value->ParameterData.IntegerData;

    NdisReadConfiguration(&Status, &Value, Config, &RxName, NdisParameterInteger);
    if (Status == NDIS_STATUS_SUCCESS)
        Adapter->RxBuffers = Value->ParameterData.IntegerData;

    NdisCloseConfiguration(Config);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    Adapter->AdapterHandle = MiniportAdapterHandle;
    return MpReadConfiguration(Adapter);
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
}
