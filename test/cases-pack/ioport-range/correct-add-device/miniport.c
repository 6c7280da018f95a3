/*
 * Ports registered in MiniportAddDevice (allowed by the rule), and ports
 * registered in initialize through a helper whose range comes from the
 * adapter, released with the same fields on failure and in halt.
 * No findings.
 */
#include <ndis.h>

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    UINT IoBaseAddress;
    UINT IoRange;
    PVOID PortOffset;
    PVOID ConfigPorts;
} ADAPTER, *PADAPTER;

MINIPORT_ADD_DEVICE MpAddDevice;
MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwProbe(PADAPTER Adapter);
extern ADAPTER GlobalAdapter;

NDIS_STATUS
MpAddDevice(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext)
{
    return NdisMRegisterIoPortRange(&GlobalAdapter.ConfigPorts, MiniportAdapterHandle, 0xCF8, 8);
}

static NDIS_STATUS
MpRegisterPorts(PADAPTER Adapter)
{
    return NdisMRegisterIoPortRange(&Adapter->PortOffset, Adapter->AdapterHandle, Adapter->IoBaseAddress,
                                    Adapter->IoRange);
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    Status = MpRegisterPorts(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;

    Status = HwProbe(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisMDeregisterIoPortRange(Adapter->AdapterHandle, Adapter->IoBaseAddress, Adapter->IoRange,
                                   Adapter->PortOffset);
        return Status;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterIoPortRange(Adapter->AdapterHandle, Adapter->IoBaseAddress, Adapter->IoRange, Adapter->PortOffset);
}
