/* A NULL test of the adapter context after the lock is taken: NDIS never passes it NULL, so that return is not a path. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Resets; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheckForHang;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    NdisAllocateSpinLock(&((PNIC)c)->Lock);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    NdisFreeSpinLock(&((PNIC)c)->Lock);
}

NDIS_STATUS NicReset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PNIC pAdapter = (PNIC)MiniportAdapterContext;
    NdisAcquireSpinLock(&pAdapter->Lock);
    if (pAdapter == NULL)
        return NDIS_STATUS_FAILURE;
    pAdapter->Resets++;
    NdisReleaseSpinLock(&pAdapter->Lock);
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheckForHang(NDIS_HANDLE MiniportAdapterContext)
{
    PNIC pAdapter = (PNIC)MiniportAdapterContext;
    NdisAcquireSpinLock(&pAdapter->Lock);
    if (!pAdapter)
        return FALSE;
    if (pAdapter->Resets > 3)
        return TRUE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&pAdapter->Lock);
    return FALSE;
}
