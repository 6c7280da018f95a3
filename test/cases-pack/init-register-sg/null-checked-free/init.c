/*
 * Real-code shape: the DMA handle is registered by a helper, initialize is
 * a do { } while (FALSE) block left by break, and one free helper (also
 * halt's) deregisters through a macro that tests the handle for NULL.
 * No findings.
 */
#include "adapter.h"

MINIPORT_INITIALIZE HwInitialize;
MINIPORT_HALT HwHalt;

NDIS_STATUS
HwInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    NDIS_STATUS Status;
    PHW_ADAPTER Adapter = NULL;

    do {
        Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(HW_ADAPTER), 'wHwH', NormalPoolPriority);
        if (Adapter == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }
        NdisZeroMemory(Adapter, sizeof(HW_ADAPTER));
        Adapter->MiniportHandle = MiniportAdapterHandle;

        Status = HwInitDma(Adapter);
        if (Status != NDIS_STATUS_SUCCESS)
            break;

        Status = HwStartChip(Adapter);
    } while (FALSE);

    if (Status != NDIS_STATUS_SUCCESS) {
        if (Adapter != NULL)
            HwFreeResources(Adapter);
    }
    return Status;
}

VOID
HwHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    HwFreeResources((PHW_ADAPTER)MiniportAdapterContext);
}
