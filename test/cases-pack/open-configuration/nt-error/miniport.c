/*
 * The open's failure tested with NT_ERROR: the error path holds no handle;
 * a later early return forgets to close it.
 */
#include <ndis.h>

typedef struct _ADAPTER { NDIS_HANDLE AdapterHandle; ULONG Value; } ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

static NDIS_STRING ValueName = NDIS_STRING_CONST("Value");

static NDIS_STATUS ReadValue(PADAPTER Adapter)
{
    NDIS_CONFIGURATION_OBJECT Obj;
    NDIS_HANDLE Config;
    PNDIS_CONFIGURATION_PARAMETER Parameter;
    NDIS_STATUS Status;

    Obj.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    Obj.NdisHandle = Adapter->AdapterHandle;
    Obj.Flags = 0;
    Status = NdisOpenConfigurationEx(&Obj, &Config);
    if (NT_ERROR(Status)) {
        return Status;
    }
    NdisReadConfiguration(&Status, &Parameter, Config, &ValueName, NdisParameterInteger);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status; // EXPECT: ndis/open-configuration
    Adapter->Value = Parameter->ParameterData.IntegerData;
    NdisCloseConfiguration(Config);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS MpInitialize(NDIS_HANDLE h, NDIS_HANDLE d, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER Adapter = (PADAPTER)d;
    Adapter->AdapterHandle = h;
    return ReadValue(Adapter);
}

VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
