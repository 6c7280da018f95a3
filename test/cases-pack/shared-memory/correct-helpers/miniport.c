#include "adapter.h"

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_SHUTDOWN NicShutdown;

NDIS_STATUS
NicInitialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE DriverContext, PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    PNIC Nic = (PNIC)DriverContext;
    NDIS_STATUS Status;

    Nic->MiniportHandle = MiniportAdapterHandle;
    Nic->TxDescVa = NULL;
    Nic->RxDescVa = NULL;

    Status = NicAllocRings(Nic);
    if (Status == NDIS_STATUS_SUCCESS)
        Status = NicReset(Nic);
    if (Status != NDIS_STATUS_SUCCESS)
        NicFreeRings(Nic);
    return Status;
}

VOID
NicHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    NicFreeRings((PNIC)MiniportAdapterContext);
}

VOID
NicShutdown(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    NicReset((PNIC)MiniportAdapterContext);
}
