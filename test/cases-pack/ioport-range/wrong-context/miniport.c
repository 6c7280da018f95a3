/*
 * Registers its I/O ports in initialize (correct, released on failure and
 * in halt), and again from the reset callback through a helper: the
 * registration there runs outside initialize.
 */
#include <ndis.h>

#define PORT_BASE 0x300
#define PORT_COUNT 0x20

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    PVOID PortOffset;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;
MINIPORT_RESET MpReset;

NDIS_STATUS HwProbe(PADAPTER Adapter);

static NDIS_STATUS
MpClaimPorts(PADAPTER Adapter)
{
    return NdisMRegisterIoPortRange(&Adapter->PortOffset, Adapter->AdapterHandle, PORT_BASE, PORT_COUNT); // EXPECT: ndis/ioport-range:wrongContextReached
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    Status = NdisMRegisterIoPortRange(&Adapter->PortOffset, MiniportAdapterHandle, PORT_BASE, PORT_COUNT);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Status = HwProbe(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        NdisMDeregisterIoPortRange(MiniportAdapterHandle, PORT_BASE, PORT_COUNT, Adapter->PortOffset);
    return Status;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterIoPortRange(Adapter->AdapterHandle, PORT_BASE, PORT_COUNT, Adapter->PortOffset);
}

NDIS_STATUS
MpReset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMDeregisterIoPortRange(Adapter->AdapterHandle, PORT_BASE, PORT_COUNT, Adapter->PortOffset);
    return MpClaimPorts(Adapter);
}
