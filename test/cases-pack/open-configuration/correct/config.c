/*
 * The configuration handle is opened in initialize, read in a do { } while
 * (FALSE) block left by break, and closed once after the block when it was
 * opened. No findings.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    ULONG Mtu;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

static NDIS_STRING MtuName = NDIS_STRING_CONST("MTU");

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;
    NDIS_HANDLE ConfigurationHandle = NULL;
    NDIS_CONFIGURATION_OBJECT ConfigObject;
    PNDIS_CONFIGURATION_PARAMETER Parameter;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    ConfigObject.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    ConfigObject.NdisHandle = MiniportAdapterHandle;
    ConfigObject.Flags = 0;

    do {
        Status = NdisOpenConfigurationEx(&ConfigObject, &ConfigurationHandle);
        if (Status != NDIS_STATUS_SUCCESS)
            break;

        NdisReadConfiguration(&Status, &Parameter, ConfigurationHandle, &MtuName, NdisParameterInteger);
        if (Status != NDIS_STATUS_SUCCESS) {
            Status = NDIS_STATUS_SUCCESS;
            Adapter->Mtu = 1500;
            break;
        }
        Adapter->Mtu = Parameter->ParameterData.IntegerData;
    } while (FALSE);

    if (ConfigurationHandle != NULL)
        NdisCloseConfiguration(ConfigurationHandle);
    return Status;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
}
