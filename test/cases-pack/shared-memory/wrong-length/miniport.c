/*
 * Allocates the receive area with one length and frees it in halt with
 * another; the status block is not freed by halt at all.
 */
#include <ndis.h>

#define RX_AREA_BYTES (64 * 2048)
#define RX_AREA_BYTES_OLD (32 * 2048)
#define STATUS_BLOCK_BYTES 256

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    PUCHAR RxVa;
    NDIS_PHYSICAL_ADDRESS RxPa;
    PVOID StatusVa;
    NDIS_PHYSICAL_ADDRESS StatusPa;
} ADAPTER, *PADAPTER;

MINIPORT_INITIALIZE MpInitialize;
MINIPORT_HALT MpHalt;

NDIS_STATUS
MpInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PADAPTER Adapter = (PADAPTER)DriverContext;

    Adapter->AdapterHandle = MiniportAdapterHandle;
    NdisMAllocateSharedMemory(MiniportAdapterHandle, RX_AREA_BYTES, TRUE, (PVOID *)&Adapter->RxVa, &Adapter->RxPa);
    if (Adapter->RxVa == NULL)
        return NDIS_STATUS_RESOURCES;

    NdisMAllocateSharedMemory(MiniportAdapterHandle, STATUS_BLOCK_BYTES, FALSE, &Adapter->StatusVa, &Adapter->StatusPa); // EXPECT: ndis/shared-memory:leakInHalt
    if (Adapter->StatusVa == NULL) {
        NdisMFreeSharedMemory(MiniportAdapterHandle, RX_AREA_BYTES, TRUE, Adapter->RxVa, Adapter->RxPa);
        return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
MpHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER Adapter = (PADAPTER)MiniportAdapterContext;
    NdisMFreeSharedMemory(Adapter->AdapterHandle, RX_AREA_BYTES_OLD, TRUE, Adapter->RxVa, Adapter->RxPa); // EXPECT: ndis/shared-memory:wrongLength
}
