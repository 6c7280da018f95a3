/*
 * Helpers that take or release the adapter's lock in the form the caller asks for (tap-windows6's
 * `tapAdapterAcquireLock(Adapter, DispatchLevel)`): every path makes one call on the same lock, only
 * the form differs, so each helper reads as one take (or release) of either form, which pairs with
 * a release of either form. The callbacks that balance them report nothing; the reset callback that
 * returns early with the lock held is reported at its return. A helper that never returns (a
 * `for (;;)` loop) is not summarised: its caller is not followed past it.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Count; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;

static VOID NicAcquire(PNIC Nic, BOOLEAN DispatchLevel)
{
    ASSERT(!DispatchLevel || (DISPATCH_LEVEL == KeGetCurrentIrql()));
    if (DispatchLevel)
    {
        NdisDprAcquireSpinLock(&Nic->Lock);
    }
    else
    {
        NdisAcquireSpinLock(&Nic->Lock);
    }
}

static VOID NicRelease(PNIC Nic, BOOLEAN DispatchLevel)
{
    if (DispatchLevel)
    {
        NdisDprReleaseSpinLock(&Nic->Lock);
    }
    else
    {
        NdisReleaseSpinLock(&Nic->Lock);
    }
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    BOOLEAN dispatch = NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags);
    NicAcquire(nic, dispatch);
    nic->Count--;
    NicRelease(nic, dispatch);
}

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    NicAcquire(nic, FALSE);
    nic->Count = 0;
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NicAcquire(nic, FALSE);
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    nic->Count = 0;
    NicRelease(nic, FALSE);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

static VOID NicForever(PNIC Nic)
{
    for (;;)
    {
        NdisAcquireSpinLock(&Nic->Lock);
        Nic->Count++;
        NdisReleaseSpinLock(&Nic->Lock);
    }
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NicForever(nic);
    return FALSE;
}
