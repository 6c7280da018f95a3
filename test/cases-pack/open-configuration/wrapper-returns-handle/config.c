/*
 * Real-code shape: a wrapper opens the configuration for its caller and
 * hands the handle back through a pointer parameter (not a leak of the
 * wrapper); the caller closes it on both of its paths. A second reader
 * keeps the handle in the adapter for later (it escapes: not checked).
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE SavedConfig;
    ULONG Value;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS ReadOne(NDIS_HANDLE Config, PULONG Out);

static NDIS_STATUS
OpenConfig(PADAPTER Adapter, PNDIS_HANDLE Handle)
{
    NDIS_CONFIGURATION_OBJECT Object;

    Object.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    Object.NdisHandle = Adapter->AdapterHandle;
    Object.Flags = 0;
    return NdisOpenConfigurationEx(&Object, Handle);
}

static NDIS_STATUS
KeepConfig(PADAPTER Adapter)
{
    NDIS_CONFIGURATION_OBJECT Object;

    Object.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    Object.NdisHandle = Adapter->AdapterHandle;
    Object.Flags = 0;
    return NdisOpenConfigurationEx(&Object, &Adapter->SavedConfig);
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;
    NDIS_HANDLE Config;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    Status = OpenConfig(Adapter, &Config);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Status = ReadOne(Config, &Adapter->Value);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisCloseConfiguration(Config);
        return Status;
    }
    NdisCloseConfiguration(Config);
    return KeepConfig(Adapter);
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    NdisCloseConfiguration(((PADAPTER)MiniportAdapterContext)->SavedConfig);
}
