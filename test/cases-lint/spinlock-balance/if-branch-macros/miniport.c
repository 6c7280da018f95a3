/*
 * Macros a driver defines differently in `#if` branches (a debug build's audited allocator and lock
 * wrapper beside a release build's plain calls). A use is followed where every definition makes the
 * same lock calls: the debug allocator takes and releases its own audit lock (nothing held after),
 * the release one takes none, so the paths through NIC_FREE are followed and the early return that
 * keeps the adapter's lock is reported. The lock wrapper differs between builds (the debug one takes
 * the lock inside a wrapper struct), so the callback is walked once per build: both builds return
 * with the lock held at the same two returns, which are reported. The send lock's debug definition
 * takes the lock and may return from the middle of the macro: that build is not followed past it,
 * so NicSend is not followed, and its missing release (found by the release build alone) is not
 * reported.
 */
#include <ndis.h>

typedef struct _NIC_LOCK { NDIS_SPIN_LOCK NdisLock; ULONG Owner; } NIC_LOCK_T;

typedef struct _NIC {
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK Lock;
    NDIS_SPIN_LOCK TxLock;
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
#define NIC_TX_LOCK(n)                             \
    {                                              \
        NdisAcquireSpinLock(&(n)->TxLock);         \
        if ((n)->Count == 0)                       \
        {                                          \
            NdisReleaseSpinLock(&(n)->TxLock);     \
            return;                                \
        }                                          \
    }
#else
#define NIC_RX_LOCK(n) NdisAcquireSpinLock(&(n)->RxLock)
#define NIC_TX_LOCK(n) NdisAcquireSpinLock(&(n)->TxLock)
#endif

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;

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
        return TRUE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    nic->Count = 0;
    return FALSE; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

VOID NicSend(NDIS_HANDLE c, PNET_BUFFER_LIST Nbl, NDIS_PORT_NUMBER Port, ULONG Flags)
{
    PNIC nic = (PNIC)c;
    NIC_TX_LOCK(nic);
    nic->Count++;
}
