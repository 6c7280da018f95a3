/*
 * Shapes the analysis cannot decide, so it says nothing: a helper that takes the lock
 * only when its caller asks (the ISR's way passes FALSE), a helper that takes it only
 * once the start-up code (synchronized with the interrupt) has set a flag it sets
 * after the call, a logging macro that takes it only in one #if branch, and a function
 * declared MINIPORT_SYNCHRONIZE_INTERRUPT that the driver only calls directly (from an
 * OID handler), never through NdisMSynchronizeWithInterruptEx.
 */
#include <ndis.h>

#define NIC_ACTIVE 0x1

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Interrupt; NDIS_SPIN_LOCK Lock; ULONG Flags; ULONG Next; } NIC, *PNIC;

static ULONG NicLogIndex(PNIC nic)
{
    ULONG i;
    NdisAcquireSpinLock(&nic->Lock);
    i = nic->Next++;
    NdisReleaseSpinLock(&nic->Lock);
    return i;
}

#ifdef NIC_LOGGING
#define NIC_LOG(n) NicLogIndex(n)
#else
#define NIC_LOG(n)
#endif

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_ISR NicIsr;
MINIPORT_SYNCHRONIZE_INTERRUPT NicApplyRss;
MINIPORT_OID_REQUEST NicOid;

BOOLEAN NicApplyRss(NDIS_HANDLE SynchronizeContext)
{
    PNIC nic = (PNIC)SynchronizeContext;
    NdisAcquireSpinLock(&nic->Lock);
    nic->Next = 0;
    NdisReleaseSpinLock(&nic->Lock);
    return TRUE;
}

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    NicApplyRss(c);
    return NDIS_STATUS_SUCCESS;
}

static VOID NicAdvance(PNIC nic, BOOLEAN locked)
{
    if (locked)
        NdisAcquireSpinLock(&nic->Lock);
    nic->Next++;
    if (locked)
        NdisReleaseSpinLock(&nic->Lock);
}

static VOID NicUpdateLink(PNIC nic)
{
    if (nic->Flags & NIC_ACTIVE) {
        NdisDprAcquireSpinLock(&nic->Lock);
        nic->Next = 0;
        NdisDprReleaseSpinLock(&nic->Lock);
    }
}

static BOOLEAN NicStartSynchronized(PVOID ctx)
{
    PNIC nic = (PNIC)ctx;
    NicUpdateLink(nic);
    nic->Flags |= NIC_ACTIVE;
    return TRUE;
}

BOOLEAN NicIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    NicAdvance(nic, FALSE);
    NIC_LOG(nic);
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    NicAdvance(nic, TRUE);
    NdisMSynchronizeWithInterruptEx(nic->Interrupt, 0, NicStartSynchronized, nic);
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
