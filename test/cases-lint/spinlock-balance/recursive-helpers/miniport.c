/*
 * Helpers that call each other (athwifi's send path: completing a send sends what is queued behind
 * it, and a send that fails completes it). Each takes and releases the queue lock, so a call of
 * either makes no lock call on the whole: the recursion is read so, and the callbacks that reach it
 * are followed. The return that keeps the adapter's lock after a completion is reported; the send
 * that only calls into the cycle is balanced. A helper that recurses and leaves the queue lock held
 * on one path (NicDrainLocked) has no one summary: the hang check that calls it is not followed, and
 * its release after the call is not reported as a release of a lock not held.
 */
#include <ndis.h>

typedef struct _NIC
{
    NDIS_SPIN_LOCK Lock;
    NDIS_SPIN_LOCK QueueLock;
    LIST_ENTRY Queue;
    ULONG Pending;
    ULONG State;
} NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;
MINIPORT_CHECK_FOR_HANG NicCheck;

static VOID NicSendQueued(PNIC Nic);

static VOID NicCompleteSend(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->QueueLock);
    Nic->Pending--;
    NdisReleaseSpinLock(&Nic->QueueLock);
    if (Nic->Pending == 0)
        NicSendQueued(Nic);
}

static VOID NicSendQueued(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->QueueLock);
    if (IsListEmpty(&Nic->Queue))
    {
        NdisReleaseSpinLock(&Nic->QueueLock);
        return;
    }
    Nic->Pending++;
    NdisReleaseSpinLock(&Nic->QueueLock);
    if (Nic->State != 1)
        NicCompleteSend(Nic);
}

static VOID NicDrainLocked(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->QueueLock);
    if (Nic->Pending > 0)
    {
        Nic->Pending--;
        NdisReleaseSpinLock(&Nic->QueueLock);
        NicDrainLocked(Nic);
    }
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NdisAcquireSpinLock(&nic->Lock);
    NicCompleteSend(nic);
    if (nic->State == 0)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->Lock);
}

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicSendQueued(nic);
}

BOOLEAN NicCheck(NDIS_HANDLE MiniportAdapterContext)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicDrainLocked(nic);
    NdisReleaseSpinLock(&nic->QueueLock);
    return FALSE;
}
