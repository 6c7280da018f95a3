#pragma once
#include <ndis.h>

typedef struct _HW_ADAPTER {
    NDIS_HANDLE MiniportHandle;
    NDIS_HANDLE NdisDmaHandle;
    ULONG MaxPhysMapping;
} HW_ADAPTER, *PHW_ADAPTER;

NDIS_STATUS HwInitDma(PHW_ADAPTER Adapter);
VOID HwFreeResources(PHW_ADAPTER Adapter);
NDIS_STATUS HwStartChip(PHW_ADAPTER Adapter);

#define HW_DEREGISTER_DMA(_A)                                  \
    do {                                                       \
        if ((_A)->NdisDmaHandle != NULL) {                     \
            NdisMDeregisterScatterGatherDma((_A)->NdisDmaHandle); \
            (_A)->NdisDmaHandle = NULL;                        \
        }                                                      \
    } while (0)
