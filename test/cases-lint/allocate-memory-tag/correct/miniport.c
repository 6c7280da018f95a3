/* Character-constant tags, a tag #define, and a tag held in a variable: nothing to report. */
#include <ndis.h>

#define NIC_TAG 'ciNx'
#define NIC_RX_TAG ((ULONG)'xRiN')

typedef struct _NIC { NDIS_HANDLE Handle; ULONG Tag; PVOID Rx; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = NdisAllocateMemoryWithTagPriority(h, sizeof(NIC), NIC_TAG, NormalPoolPriority);
    if (nic == NULL)
        return NDIS_STATUS_RESOURCES;
    nic->Tag = NIC_TAG;
    nic->Rx = NdisAllocateMemoryWithTagPriority(h, 4096, NIC_RX_TAG, LowPoolPriority);
    nic->Rx = NdisAllocateMemoryWithTagPriority(h, 4096, nic->Tag, LowPoolPriority);
    nic->Rx = NdisAllocateMemoryWithTagPriority(h, 4096, 'tseT', LowPoolPriority);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
