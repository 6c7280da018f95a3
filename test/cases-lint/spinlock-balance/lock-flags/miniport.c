/*
 * A local that remembers whether the lock was taken (`BOOLEAN fLocked = FALSE; ... fLocked = TRUE;
 * ... if (fLocked) NdisReleaseSpinLock(..)`, athwifi's `Hvl11RequestExAccess`): each path goes the
 * way its flag was set, so the path that never took the lock does not "release" it and the one that
 * took it does not "keep" it. A helper of that shape is balanced on the whole. A flag tested as `!f`,
 * `f == FALSE` or with `&&` is read the same way, and a macro that sets a field of that name
 * (`(n)->fLocked = TRUE`) leaves the local a flag. The return that keeps the lock after the flag was
 * set is reported; the one under `fLocked == FALSE`, which no path with the lock reaches, is not. A
 * local whose address is taken, that is stored a value other than 0 or 1, or that a macro stores
 * into unseen (`NIC_TAKE` sets `taken`) is no flag: its tests go both ways (a release not held on one
 * path, the lock kept to the end on the other).
 */
#include <ndis.h>

typedef struct _NIC
{
    NDIS_SPIN_LOCK Lock;
    NDIS_SPIN_LOCK ExLock;
    ULONG Count;
    ULONG State;
    BOOLEAN fLocked;
} NIC, *PNIC;

#define NIC_MARK_LOCKED(n) ((n)->fLocked = TRUE)
#define NIC_TAKE(n)                        \
    {                                      \
        NdisAcquireSpinLock(&(n)->Lock);   \
        taken = TRUE;                      \
    }

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_CANCEL_SEND NicCancelSend;
MINIPORT_SHUTDOWN NicShutdown;
MINIPORT_PAUSE NicPause;

VOID NicReadFlag(PBOOLEAN Flag);

static NDIS_STATUS NicRequestExAccess(PNIC Nic)
{
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    BOOLEAN fLocked = FALSE;
    do
    {
        if (Nic->State == 0)
        {
            status = NDIS_STATUS_FAILURE;
            break;
        }
        NdisAcquireSpinLock(&Nic->ExLock);
        fLocked = TRUE;
        Nic->Count++;
    } while (FALSE);
    if (fLocked)
    {
        NdisReleaseSpinLock(&Nic->ExLock);
    }
    return status;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    BOOLEAN fLocked = FALSE;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    do
    {
        if (nic->State == 0)
        {
            status = NDIS_STATUS_FAILURE;
            break;
        }
        NdisAcquireSpinLock(&nic->Lock);
        fLocked = TRUE;
        NIC_MARK_LOCKED(nic);
        nic->Count++;
    } while (FALSE);
    if (fLocked)
        NdisReleaseSpinLock(&nic->Lock);
    return status;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    BOOLEAN notTaken = TRUE;
    BOOLEAN busy = FALSE;
    NicRequestExAccess(nic);
    if (nic->State != 0)
    {
        NdisAcquireSpinLock(&nic->Lock);
        notTaken = FALSE;
    }
    busy = (BOOLEAN)1;
    if (!notTaken && busy == TRUE)
        NdisReleaseSpinLock(&nic->Lock);
    return FALSE;
}

VOID NicReturn(NDIS_HANDLE c, PNET_BUFFER_LIST Nbl, ULONG Flags)
{
    PNIC nic = (PNIC)c;
    BOOLEAN fLocked = FALSE;
    if (nic->State == 0)
        return;
    NdisAcquireSpinLock(&nic->Lock);
    fLocked = TRUE;
    if (nic->Count == 0)
        return; // EXPECT: ndis/spinlock-balance:heldAtReturn
    nic->Count--;
    if (fLocked == FALSE)
        return;
    NdisReleaseSpinLock(&nic->Lock);
}

VOID NicCancelSend(NDIS_HANDLE c, PVOID CancelId)
{
    PNIC nic = (PNIC)c;
    BOOLEAN fLocked = FALSE;
    NicReadFlag(&fLocked);
    if (nic->State != 0)
    {
        NdisAcquireSpinLock(&nic->Lock);
        fLocked = TRUE;
    }
    if (fLocked)
        NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
} // EXPECT: ndis/spinlock-balance:heldAtReturn

VOID NicShutdown(NDIS_HANDLE c, NDIS_SHUTDOWN_ACTION a)
{
    PNIC nic = (PNIC)c;
    ULONG held = 0;
    if (nic->State != 0)
    {
        NdisAcquireSpinLock(&nic->Lock);
        held = 2;
    }
    if (held == 2)
        NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
} // EXPECT: ndis/spinlock-balance:heldAtReturn

NDIS_STATUS NicPause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    BOOLEAN taken = FALSE;
    if (nic->State != 0)
        NIC_TAKE(nic);
    if (taken)
        NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}
