/* A lock taken inside `do { } while (FALSE)` (or `while (0)`) is taken once: the body does not run again. */
#include <ndis.h>

#define ONCE 0

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG State; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_INTERRUPT_DPC NicDpc;
MINIPORT_RESET NicReset;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NdisAllocateSpinLock(&((PNIC)c)->Lock);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    NdisFreeSpinLock(&((PNIC)c)->Lock);
}

VOID NicDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID r1, PVOID r2)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    do {
        NdisDprAcquireSpinLock(&nic->Lock);
        nic->State = 1;
    } while (FALSE);
    NdisDprReleaseSpinLock(&nic->Lock);
    do {
        NdisDprAcquireSpinLock(&nic->Lock);
        nic->State = 2;
    } while (ONCE);
    NdisDprReleaseSpinLock(&nic->Lock);
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    do {
        NdisAcquireSpinLock(&nic->Lock);
        if (nic->State == 0)
            return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
        nic->State = 0;
    } while (0);
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}
