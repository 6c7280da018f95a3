#include "adapter.h"

extern MINIPORT_PROCESS_SG_LIST HwProcessSgList;

NDIS_STATUS
HwInitDma(PHW_ADAPTER Adapter)
{
    NDIS_SG_DMA_DESCRIPTION Desc;

    NdisZeroMemory(&Desc, sizeof(Desc));
    Desc.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
    Desc.MaximumPhysicalMapping = Adapter->MaxPhysMapping;
    Desc.ProcessSGListHandler = HwProcessSgList;
    return NdisMRegisterScatterGatherDma(Adapter->MiniportHandle, &Desc, &Adapter->NdisDmaHandle);
}

VOID
HwFreeResources(PHW_ADAPTER Adapter)
{
    HW_DEREGISTER_DMA(Adapter);
    NdisFreeMemory(Adapter, 0, 0);
}
