/*
 * Helpers called through a struct field (rtlnwifi's `pAdapter->ReceiveHandlerFunction(pAdapter)`,
 * set in initialize to one of three receive handlers): the call is one of the functions stored into
 * that field, and counts as their lock calls where every one makes the same. The receive handlers
 * each take and release the receive lock: the reset callback is followed past the call and its
 * early return with the adapter lock held is reported. The statistics helpers differ (one
 * leaves the lock held for its caller): the check-for-hang callback that calls one is not followed,
 * and reports nothing. Nor is the cancel-send callback that calls a task through a pointer variable
 * (it may be any function whose address is taken, and one of those takes the adapter lock): its
 * release after the call is not reported as a release of a lock not held.
 */
#include <ndis.h>

typedef struct _NIC
{
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK Lock;
    NDIS_SPIN_LOCK RxLock;
    ULONG Count;
    BOOLEAN Safe;
    VOID (*RxHandler)(struct _NIC *Nic);
    VOID (*Stats)(struct _NIC *Nic);
} NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_CANCEL_SEND NicCancelSend;

typedef VOID (*NIC_TASK)(PNIC Nic);

static VOID NicRxSafe(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->RxLock);
    Nic->Count++;
    NdisReleaseSpinLock(&Nic->RxLock);
}

static VOID NicRxFast(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->RxLock);
    Nic->Count += 2;
    NdisReleaseSpinLock(&Nic->RxLock);
}

static VOID NicStatsLocked(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->Lock);
    Nic->Count = 0;
}

static VOID NicStatsPlain(PNIC Nic)
{
    Nic->Count = 0;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    if (nic->Safe)
        nic->RxHandler = NicRxSafe;
    else
        nic->RxHandler = NicRxFast;
    if (nic->Safe)
        nic->Stats = NicStatsLocked;
    else
        nic->Stats = NicStatsPlain;
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    nic->RxHandler(nic);
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->Lock);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    nic->Stats(nic);
    if (nic->Count > 100)
        return TRUE;
    NdisReleaseSpinLock(&nic->Lock);
    return FALSE;
}

static VOID NicTaskLocked(PNIC Nic)
{
    NdisAcquireSpinLock(&Nic->Lock);
    Nic->Count = 1;
}

PVOID g_Tasks[] = { NicTaskLocked };

VOID NicCancelSend(NDIS_HANDLE c, PVOID CancelId)
{
    PNIC nic = (PNIC)c;
    NIC_TASK task = (NIC_TASK)CancelId;
    task(nic);
    NdisReleaseSpinLock(&nic->Lock);
}
