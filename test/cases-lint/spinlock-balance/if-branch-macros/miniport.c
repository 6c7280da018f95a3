/*
 * Macros a driver defines differently in `#if` branches (a debug build's audited allocator and lock
 * wrapper beside a release build's plain calls). A use is followed where every definition makes the
 * same lock calls: the debug allocator takes and releases its own audit lock (nothing held after),
 * the release one takes none, so the paths through NIC_FREE are followed and the early return that
 * keeps the adapter's lock is reported. The lock wrapper differs between builds (the debug one takes
 * the lock inside a wrapper struct), so paths through it are not followed: its missing release is
 * not reported.
 */
#include <ndis.h>

typedef struct _NIC_LOCK { NDIS_SPIN_LOCK NdisLock; ULONG Owner; } NIC_LOCK_T;

typedef struct _NIC {
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK Lock;
#if NIC_AUDIT_LOCKS
    NIC_LOCK_T RxLock;
#else
    NDIS_SPIN_LOCK RxLock;
#endif
    PVOID Buffer;
    ULONG Count;
} NIC, *PNIC;

NDIS_SPIN_LOCK NicAuditLock;

VOID NicAuditFree(PVOID p, PCSTR File, ULONG Line)
{
    NdisAcquireSpinLock(&NicAuditLock);
    NdisFreeMemory(p, 0, 0);
    NdisReleaseSpinLock(&NicAuditLock);
}

#if DBG
#define NIC_FREE(p) NicAuditFree((p), __FILE__, __LINE__)
#else
#define NIC_FREE(p) NdisFreeMemory((p), 0, 0)
#endif

#if NIC_AUDIT_LOCKS
#define NIC_RX_LOCK(n) NdisAcquireSpinLock(&(n)->RxLock.NdisLock)
#else
#define NIC_RX_LOCK(n) NdisAcquireSpinLock(&(n)->RxLock)
#endif

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    NIC_FREE(nic->Buffer);
    nic->Buffer = NULL;
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NdisReleaseSpinLock(&nic->Lock);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NIC_RX_LOCK(nic);
    if (nic->Count == 0)
        return TRUE;
    nic->Count = 0;
    return FALSE;
}
