/*
 * One helper for many locks, chosen by a constant argument (rtwlan's `PlatformAcquireSpinLock(Adapter,
 * RT_RX_SPINLOCK)`, a macro over `_PlatformAcquireSpinLock(Adapter, Type)` that switches on the
 * type): each call takes the lock its constant chooses, through a `switch` or an `==` test of the
 * parameter. The receive-return callback takes and releases the receive lock through the helpers; the
 * reset callback returns early with the transmit lock held (reported at that return); the OID
 * callback releases a different lock from the one it took (reported as a release of a lock not held,
 * and its end as a return with the other one held). A call handing a variable chooses nothing: not
 * followed (the hang check).
 */
#include <ndis.h>

typedef enum _NIC_LOCK_TYPE { NIC_RX_LOCK, NIC_TX_LOCK, NIC_SCAN_LOCK } NIC_LOCK_TYPE;

typedef struct _NIC
{
    NDIS_HANDLE Handle;
    NDIS_SPIN_LOCK RxLock;
    NDIS_SPIN_LOCK TxLock;
    NDIS_SPIN_LOCK ScanLock;
    ULONG Count;
    NIC_LOCK_TYPE Kind;
} NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RETURN_NET_BUFFER_LISTS NicReturn;
MINIPORT_RESET NicReset;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_CHECK_FOR_HANG NicCheck;

static VOID _NicAcquire(PNIC Nic, NIC_LOCK_TYPE Type)
{
    switch (Type)
    {
    case NIC_RX_LOCK:
        NdisAcquireSpinLock(&Nic->RxLock);
        break;
    case NIC_TX_LOCK:
        NdisAcquireSpinLock(&Nic->TxLock);
        break;
    default:
        NdisAcquireSpinLock(&Nic->ScanLock);
        break;
    }
}

static VOID _NicRelease(PNIC Nic, NIC_LOCK_TYPE Type)
{
    if (Type == NIC_RX_LOCK)
        NdisReleaseSpinLock(&Nic->RxLock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
    else if (Type == NIC_TX_LOCK)
        NdisReleaseSpinLock(&Nic->TxLock);
    else
        NdisReleaseSpinLock(&Nic->ScanLock);
}

#define NicAcquire(_Nic, _Type) _NicAcquire(_Nic, _Type)
#define NicRelease(_Nic, _Type) _NicRelease(_Nic, _Type)

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicReturn(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NicAcquire(nic, NIC_RX_LOCK);
    nic->Count--;
    NicRelease(nic, NIC_RX_LOCK);
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NicAcquire(nic, NIC_TX_LOCK);
    if (nic->Count > 100)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/spinlock-balance:heldAtReturn
    NicRelease(nic, NIC_TX_LOCK);
    *AddressingReset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    _NicAcquire(nic, NIC_SCAN_LOCK);
    nic->Count = 0;
    _NicRelease(nic, NIC_RX_LOCK);
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

BOOLEAN NicCheck(NDIS_HANDLE c)
{
    PNIC nic = (PNIC)c;
    NicAcquire(nic, nic->Kind);
    if (nic->Count > 100)
        return TRUE;
    NicRelease(nic, nic->Kind);
    return FALSE;
}
