/*
 * Real-code shape: two shared rings allocated by a helper that frees the
 * first when the second fails; one free helper, shared by the failure path
 * of initialize and by halt, frees each ring when its address is not NULL
 * (through a macro). The shutdown callback only stops the chip.
 * No findings.
 */
#include "adapter.h"

NDIS_STATUS
NicAllocRings(PNIC Nic)
{
    NdisMAllocateSharedMemory(Nic->MiniportHandle, TX_DESC_BYTES, FALSE, &Nic->TxDescVa, &Nic->TxDescPa);
    if (Nic->TxDescVa == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisMAllocateSharedMemory(Nic->MiniportHandle, RX_DESC_BYTES, FALSE, &Nic->RxDescVa, &Nic->RxDescPa);
    if (Nic->RxDescVa == NULL) {
        NdisMFreeSharedMemory(Nic->MiniportHandle, TX_DESC_BYTES, FALSE, Nic->TxDescVa, Nic->TxDescPa);
        Nic->TxDescVa = NULL;
        return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID
NicFreeRings(PNIC Nic)
{
    NIC_FREE_SHARED(Nic, TX_DESC_BYTES, Nic->TxDescVa, Nic->TxDescPa);
    NIC_FREE_SHARED(Nic, RX_DESC_BYTES, Nic->RxDescVa, Nic->RxDescPa);
}
