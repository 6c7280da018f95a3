/*
 * Allocates its descriptor ring as shared memory in initialize and tests the
 * virtual address for NULL. The shutdown callback frees it (through a
 * helper), and a failure path of initialize after the allocation forgets it.
 */
#include <ndis.h>

#define RING_BYTES 0x4000

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    PVOID RingVa;
    NDIS_PHYSICAL_ADDRESS RingPa;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;
MINIPORT_SHUTDOWN MpShutdown;

NDIS_STATUS HwStart(PADAPTER Adapter);

static VOID
MpFreeRing(PADAPTER Adapter)
{
    NdisMFreeSharedMemory(Adapter->AdapterHandle, RING_BYTES, FALSE, Adapter->RingVa, Adapter->RingPa); // EXPECT: ndis/shared-memory:freeReachedFromShutdown
}

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;
    NDIS_STATUS Status;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    NdisMAllocateSharedMemory(MiniportAdapterHandle, RING_BYTES, FALSE, &Adapter->RingVa, &Adapter->RingPa);
    if (Adapter->RingVa == NULL)
        return NDIS_STATUS_RESOURCES;

    Status = HwStart(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status; // EXPECT: ndis/shared-memory:leakOnFailure
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    MpFreeRing((PADAPTER)MiniportAdapterContext);
}

VOID
MpShutdown(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    MpFreeRing((PADAPTER)MiniportAdapterContext);
}
