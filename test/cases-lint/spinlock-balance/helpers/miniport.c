/*
 * Helpers summarised into their callers: a helper takes the lock and the caller releases
 * it (balanced), a caller that returns early without the release (reported at its return),
 * a caller that releases twice through the unlock helper (reported in the helper), and a
 * helper that takes the lock only on some paths (its callers are not followed).
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Count; BOOLEAN Busy; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
NDIS_TIMER_FUNCTION NicWatchdog;

static VOID NicLock(PNIC nic)
{
    NdisAcquireSpinLock(&nic->Lock);
}

static VOID NicUnlock(PNIC nic)
{
    NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
}

static BOOLEAN NicTryLock(PNIC nic)
{
    if (nic->Busy)
        return FALSE;
    NdisAcquireSpinLock(&nic->Lock);
    return TRUE;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    NicLock(nic);
    nic->Count = 0;
    NicUnlock(nic);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NicLock(nic);
    if (nic->Busy)
        return NDIS_STATUS_RESET_IN_PROGRESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->Lock);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NicLock(nic);
    nic->Count++;
    NicUnlock(nic);
    NicUnlock(nic);
    return FALSE;
}

VOID NicWatchdog(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
    PNIC nic = (PNIC)ctx;
    if (!NicTryLock(nic))
        return;
    nic->Count = 0;
    NdisReleaseSpinLock(&nic->Lock);
}
