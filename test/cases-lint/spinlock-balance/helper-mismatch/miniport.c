/*
 * A helper that takes a lock in one form and releases it in the other (TI CPSW3G's
 * Cpsw3g_SetPowerState: `NdisDprAcquireSpinLock(&pAdapter->Lock)` on its D3 path, then
 * `NdisReleaseSpinLock(&pAdapter->Lock)`, which restores an IRQL the Dpr take never saved), and
 * makes no lock call on its other path. On its whole the helper leaves nothing held, so its callers
 * are followed; the mismatch is reported once, in the helper at the release, however many
 * callbacks reach it. A helper whose take and release match makes no finding.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Power; ULONG Count; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;

static NDIS_STATUS NicSetPower(PNIC Nic, ULONG State)
{
    switch (State)
    {
    case 0:
        Nic->Power = 0;
        break;
    case 3:
        NdisDprAcquireSpinLock(&Nic->Lock);
        Nic->Power = 3;
        NdisReleaseSpinLock(&Nic->Lock); // EXPECT: ndis/spinlock-balance:dprMismatch
        break;
    default:
        return NDIS_STATUS_INVALID_DATA;
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID NicCount(PNIC Nic)
{
    NdisDprAcquireSpinLock(&Nic->Lock);
    Nic->Count++;
    NdisDprReleaseSpinLock(&Nic->Lock);
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    NDIS_STATUS status;
    NdisAcquireSpinLock(&nic->Lock);
    nic->Count++;
    NdisReleaseSpinLock(&nic->Lock);
    status = NicSetPower(nic, r->DATA.SET_INFORMATION.InformationBufferLength);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    NdisAcquireSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    *AddressingReset = FALSE;
    return NicSetPower(nic, 0);
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NicCount(nic);
    return FALSE;
}
