/*
 * Registers 0x20 ports at 0x300; halt deregisters 0x10 ports, and the
 * failure path deregisters the right count from the wrong first port.
 */
#include <ndis.h>

#define NE_BASE 0x300
#define NE_PORTS 0x20
#define NE_DATA_PORTS 0x10

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    PVOID IoBase;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS HwProbe(PADAPTER Adapter);

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    Status = NdisMRegisterIoPortRange(&Adapter->IoBase, MiniportAdapterHandle, NE_BASE, NE_PORTS);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Status = HwProbe(Adapter);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisMDeregisterIoPortRange(MiniportAdapterHandle, NE_BASE + 0x10, NE_PORTS, Adapter->IoBase); // EXPECT: ndis/ioport-range:wrongRange
        return Status;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterIoPortRange(Adapter->AdapterHandle, NE_BASE, NE_DATA_PORTS, Adapter->IoBase); // EXPECT: ndis/ioport-range:wrongRange
}
