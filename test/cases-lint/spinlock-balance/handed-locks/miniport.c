/*
 * Helpers handed the lock they take (nscirda's `InterlockedInsertBufferSorted(Head, Buf, &dev->Lock)`,
 * softether's `NeoLock(NEO_LOCK *lock)` through a local `spin_lock = &lock->spin_lock`): the lock a
 * helper takes through a parameter it never stores into is the one each call hands it. The callback
 * that takes the queue lock through the helper and releases it itself is one balanced pair; the one
 * that returns early with it is reported at that return, naming the caller's lock; the helper that
 * takes and releases the lock it is handed leaves nothing held. The wrapped lock's helpers return
 * early when handed NULL (softether's `NeoLock`: `if (lock == NULL) return;`): a NULL lock is no lock
 * to balance, so their summaries read the lock's holder as not NULL. A helper whose parameter is
 * stored into before the take (`Lock = &Nic->Other;`) names no lock the call can tell: not followed.
 */
#include <ndis.h>

typedef struct _NIC_LOCK { ULONG Signature; NDIS_SPIN_LOCK spin_lock; } NIC_LOCK, *PNIC_LOCK;

typedef struct _NIC
{
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK QueueLock;
    NDIS_SPIN_LOCK Other;
    NIC_LOCK Wrapped;
    LIST_ENTRY Queue;
    ULONG Count;
} NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_CANCEL_SEND NicCancelSend;

static VOID NicTake(PNDIS_SPIN_LOCK Lock)
{
    NdisAcquireSpinLock(Lock);
}

static VOID NicInsertLocked(PLIST_ENTRY Head, PLIST_ENTRY Entry, PNDIS_SPIN_LOCK Lock)
{
    NdisAcquireSpinLock(Lock);
    InsertTailList(Head, Entry);
    NdisReleaseSpinLock(Lock);
}

static VOID NicLockWrapped(PNIC_LOCK lock)
{
    PNDIS_SPIN_LOCK spin_lock;
    if (lock == NULL)
    {
        return;
    }
    spin_lock = &lock->spin_lock;
    NdisAcquireSpinLock(spin_lock);
}

static VOID NicUnlockWrapped(PNIC_LOCK lock)
{
    PNDIS_SPIN_LOCK spin_lock;
    if (lock == NULL)
        return;
    spin_lock = &lock->spin_lock;
    NdisReleaseSpinLock(spin_lock);
}

static VOID NicTakeOther(PNIC Nic, PNDIS_SPIN_LOCK Lock)
{
    Lock = &Nic->Other;
    NdisAcquireSpinLock(Lock);
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicTake(&nic->QueueLock);
    nic->Count--;
    NdisReleaseSpinLock(&nic->QueueLock);
    NicInsertLocked(&nic->Queue, (PLIST_ENTRY)NetBufferLists, &nic->QueueLock);
    NicLockWrapped(&nic->Wrapped);
    nic->Count++;
    NicUnlockWrapped(&nic->Wrapped);
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NicTake(&nic->QueueLock);
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->QueueLock);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NicLockWrapped(&nic->Wrapped);
    if (nic->Count > 100)
        return TRUE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NicUnlockWrapped(&nic->Wrapped);
    return FALSE;
}

VOID NicCancelSend(NDIS_HANDLE c, PVOID CancelId)
{
    PNIC nic = (PNIC)c;
    NicTakeOther(nic, &nic->QueueLock);
    if (nic->Count > 100)
        return;
    NdisReleaseSpinLock(&nic->Other);
}
