/* Real-code shape: an allocation macro of the driver's, and a tag #define that is 0 in the end. */
#include <ndis.h>

#define NIC_NO_TAG 0
#define NIC_POOL_TAG NIC_NO_TAG
#define NIC_ALLOC(h, len) NdisAllocateMemoryWithTagPriority((h), (len), NIC_POOL_TAG, NormalPoolPriority)
#define NIC_ALLOC_TAGGED(h, len) NdisAllocateMemoryWithTagPriority((h), (len), 'ciNx', NormalPoolPriority)

typedef struct _NIC { NDIS_HANDLE Handle; PVOID Tx; PVOID Rx; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;

static NDIS_STATUS NicAllocRings(PNIC nic)
{
    nic->Tx = NIC_ALLOC(nic->Handle, 4096); // EXPECT: ndis/allocate-memory-tag:throughMacro
    nic->Rx = NIC_ALLOC_TAGGED(nic->Handle, 4096);
    return (nic->Tx && nic->Rx) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    return NicAllocRings((PNIC)c);
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
