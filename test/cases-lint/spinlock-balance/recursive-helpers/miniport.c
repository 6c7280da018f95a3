/*
 * Helpers that call each other (athwifi's send path: completing a send sends what is queued behind
 * it, and a send that fails completes it). Each takes and releases the queue lock, so a call of
 * either makes no lock call on the whole: the recursion is read so, and the callbacks that reach it
 * are followed. The return that keeps the adapter's lock after a completion is reported; the send
 * that only calls into the cycle is balanced. Two helpers that recurse and leave the queue lock held
 * on one path (NicDrainLocked and NicDrainNext) have no one summary: the hang check and the reset that
 * call them are not followed, and their releases after the call are not reported as releases of a
 * lock not held. (The hang check, walked first, finds that out while NicDrainNext was read under
 * the guess: that reading is dropped, and the reset reads it again.)
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
MINIPORT_RESET NicReset;

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

static VOID NicDrainLocked(PNIC Nic);

static VOID NicDrainNext(PNIC Nic)
{
    if (Nic->Pending > 0)
        NicDrainLocked(Nic);
}

static VOID NicDrainLocked(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->QueueLock);
    if (Nic->Pending > 0)
    {
        Nic->Pending--;
        NdisReleaseSpinLock(&Nic->QueueLock);
        NicDrainNext(Nic);
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

NDIS_STATUS NicReset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicDrainNext(nic);
    NdisReleaseSpinLock(&nic->QueueLock);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}
