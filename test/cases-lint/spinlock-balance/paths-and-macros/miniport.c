/*
 * Real-code shapes: a lock taken under `if (flag)` and released under the same `if (flag)`;
 * the driver's lock macros choosing the Dpr form by a parameter (not followed: it cannot
 * tell which form runs); a helper that takes the lock for its caller, released by the caller
 * (one balanced pair);
 * one plain macro that forgets the release on an error path (reported at the return); a statistics
 * macro that takes and releases its own lock under a test (nothing held after it, whichever way the
 * test goes), on the way to an early return that keeps the adapter's lock (reported).
 */
#include <ndis.h>

#define NIC_LOCK(n) NdisAcquireSpinLock(&(n)->Lock)
#define NIC_UNLOCK(n) NdisReleaseSpinLock(&(n)->Lock)
#define NIC_ACQUIRE(l, dpr) { if (dpr) NdisDprAcquireSpinLock(l); else NdisAcquireSpinLock(l); }
#define NIC_RELEASE(l, dpr) { if (dpr) NdisDprReleaseSpinLock(l); else NdisReleaseSpinLock(l); }
#define NIC_INC_STAT(n, v) { if ((n)->Shared) { NdisAcquireSpinLock(&(n)->StatsLock); (v)++; NdisReleaseSpinLock(&(n)->StatsLock); } }

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; NDIS_SPIN_LOCK StatsLock; ULONG Count; ULONG Checks; BOOLEAN Shared; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static VOID NicTakeLock(PNIC nic)
{
    NdisAcquireSpinLock(&nic->Lock);
}

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    BOOLEAN dispatch = NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags);
    if (nic->Shared)
        NIC_ACQUIRE(&nic->Lock, dispatch);
    nic->Count--;
    if (nic->Shared)
        NIC_RELEASE(&nic->Lock, dispatch);
    if (dispatch)
        NdisDprAcquireSpinLock(&nic->Lock);
    else
        NdisAcquireSpinLock(&nic->Lock);
    nic->Count++;
    if (dispatch)
        NdisDprReleaseSpinLock(&nic->Lock);
    else
        NdisReleaseSpinLock(&nic->Lock);
}

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    NicTakeLock(nic);
    nic->Count = 0;
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NIC_LOCK(nic);
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    nic->Count = 0;
    NIC_UNLOCK(nic);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NIC_LOCK(nic);
    NIC_INC_STAT(nic, nic->Checks);
    if (nic->Count > 10)
        return TRUE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NIC_UNLOCK(nic);
    return FALSE;
}
