/*
 * The e100-style shape: initialize is a do { } while (FALSE) block left by
 * break; the interrupt is registered by a helper that sets a flag word, and
 * one cleanup helper (also called by halt) deregisters what the flags say.
 * No findings.
 */
#include "adapter.h"

MINIPORT_INITIALIZE MPInitialize;
MINIPORT_HALT MPHalt;

NDIS_STATUS
MPInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
    PMP_ADAPTER Adapter = NULL;

    do {
        Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(MP_ADAPTER), 'tdpA', NormalPoolPriority);
        if (Adapter == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }
        NdisZeroMemory(Adapter, sizeof(MP_ADAPTER));
        Adapter->AdapterHandle = MiniportAdapterHandle;

        Status = MpRegisterInterrupt(Adapter);
        if (Status != NDIS_STATUS_SUCCESS)
            break;

        Status = NICReadEeprom(Adapter);
        if (Status != NDIS_STATUS_SUCCESS)
            break;
    } while (FALSE);

    if (Status != NDIS_STATUS_SUCCESS && Adapter != NULL)
        MpFreeAdapterResources(Adapter);
    return Status;
}

VOID
MPHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    MpFreeAdapterResources((PMP_ADAPTER)MiniportAdapterContext);
}
