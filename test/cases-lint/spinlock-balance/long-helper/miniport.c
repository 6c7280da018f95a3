/*
 * A helper with many tests, each made twice (a poll routine that counts what it finds, then undoes
 * it): remembering how each test went, it has more paths than the summary walks; with each test free
 * to go either way, every path takes and releases its lock once, so nothing is held after it and the
 * callback that calls it is followed. Its early return with the adapter's lock held is reported. A
 * second helper takes its lock under a test and releases it under the same test: with each test free,
 * some paths take it and do not release it, and remembering the tests it has more paths than the
 * summary walks, so nothing is said of that helper (its caller is not followed), never a false alarm.
 */
#include <ndis.h>

typedef struct _NIC {
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK Lock;
    NDIS_SPIN_LOCK PollLock;
    ULONG Count;
    BOOLEAN Shared;
    BOOLEAN F0; BOOLEAN F1; BOOLEAN F2; BOOLEAN F3; BOOLEAN F4; BOOLEAN F5; BOOLEAN F6; BOOLEAN F7; BOOLEAN F8; BOOLEAN F9; BOOLEAN F10; BOOLEAN F11; BOOLEAN F12; BOOLEAN F13;
} NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_RESET NicReset;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static VOID NicPoll(PNIC nic)
{
    if (nic->F0)
        nic->Count++;
    if (nic->F1)
        nic->Count++;
    if (nic->F2)
        nic->Count++;
    if (nic->F3)
        nic->Count++;
    if (nic->F4)
        nic->Count++;
    if (nic->F5)
        nic->Count++;
    if (nic->F6)
        nic->Count++;
    if (nic->F7)
        nic->Count++;
    if (nic->F8)
        nic->Count++;
    if (nic->F9)
        nic->Count++;
    if (nic->F10)
        nic->Count++;
    if (nic->F11)
        nic->Count++;
    if (nic->F12)
        nic->Count++;
    if (nic->F13)
        nic->Count++;
    NdisAcquireSpinLock(&nic->PollLock);
    nic->Count++;
    NdisReleaseSpinLock(&nic->PollLock);
    if (nic->F0)
        nic->Count--;
    if (nic->F1)
        nic->Count--;
    if (nic->F2)
        nic->Count--;
    if (nic->F3)
        nic->Count--;
    if (nic->F4)
        nic->Count--;
    if (nic->F5)
        nic->Count--;
    if (nic->F6)
        nic->Count--;
    if (nic->F7)
        nic->Count--;
    if (nic->F8)
        nic->Count--;
    if (nic->F9)
        nic->Count--;
    if (nic->F10)
        nic->Count--;
    if (nic->F11)
        nic->Count--;
    if (nic->F12)
        nic->Count--;
    if (nic->F13)
        nic->Count--;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    NicPoll(nic);
    if (nic->Count > 10)
        return TRUE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->Lock);
    return FALSE;
}

static VOID NicPollShared(PNIC nic)
{
    if (nic->F0)
        nic->Count++;
    if (nic->F1)
        nic->Count++;
    if (nic->F2)
        nic->Count++;
    if (nic->F3)
        nic->Count++;
    if (nic->F4)
        nic->Count++;
    if (nic->F5)
        nic->Count++;
    if (nic->F6)
        nic->Count++;
    if (nic->F7)
        nic->Count++;
    if (nic->F8)
        nic->Count++;
    if (nic->F9)
        nic->Count++;
    if (nic->F10)
        nic->Count++;
    if (nic->F11)
        nic->Count++;
    if (nic->F12)
        nic->Count++;
    if (nic->F13)
        nic->Count++;
    if (nic->Shared)
        NdisAcquireSpinLock(&nic->PollLock);
    nic->Count++;
    if (nic->Shared)
        NdisReleaseSpinLock(&nic->PollLock);
    if (nic->F0)
        nic->Count--;
    if (nic->F1)
        nic->Count--;
    if (nic->F2)
        nic->Count--;
    if (nic->F3)
        nic->Count--;
    if (nic->F4)
        nic->Count--;
    if (nic->F5)
        nic->Count--;
    if (nic->F6)
        nic->Count--;
    if (nic->F7)
        nic->Count--;
    if (nic->F8)
        nic->Count--;
    if (nic->F9)
        nic->Count--;
    if (nic->F10)
        nic->Count--;
    if (nic->F11)
        nic->Count--;
    if (nic->F12)
        nic->Count--;
    if (nic->F13)
        nic->Count--;
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NicPollShared(nic);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}
