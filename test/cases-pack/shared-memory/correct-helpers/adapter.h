#pragma once
#include <ndis.h>

#define TX_DESC_BYTES 0x1000
#define RX_DESC_BYTES 0x2000

typedef struct _NIC {
    NDIS_HANDLE MiniportHandle;
    PVOID TxDescVa;
    NDIS_PHYSICAL_ADDRESS TxDescPa;
    PVOID RxDescVa;
    NDIS_PHYSICAL_ADDRESS RxDescPa;
} NIC, *PNIC;

NDIS_STATUS NicAllocRings(PNIC Nic);
VOID NicFreeRings(PNIC Nic);
NDIS_STATUS NicReset(PNIC Nic);

#define NIC_FREE_SHARED(_N, _len, _va, _pa)                                    \
    if ((_va) != NULL) {                                                      \
        NdisMFreeSharedMemory((_N)->MiniportHandle, (_len), FALSE, (_va), (_pa)); \
        (_va) = NULL;                                                         \
    }
