/* The adapter context allocated with a tag of 0: reported at the allocation. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = NdisAllocateMemoryWithTagPriority(h, sizeof(NIC), 0, NormalPoolPriority); // EXPECT: ndis/allocate-memory-tag:direct
    if (nic == NULL)
        return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    NdisFreeMemoryWithTagPriority(((PNIC)c)->Handle, c, 0);
}
