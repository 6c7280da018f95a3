/*
 * Real-code shape: the function passed to NdisMSynchronizeWithInterruptEx calls a
 * helper that takes a spin lock through the driver's macro; reported in the helper,
 * at the macro uses. The same helper called only from the DPC would be fine.
 */
#include <ndis.h>

#define NIC_LOCK(n) NdisAcquireSpinLock(&(n)->Lock)
#define NIC_UNLOCK(n) NdisReleaseSpinLock(&(n)->Lock)

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Interrupt; NDIS_SPIN_LOCK Lock; ULONG Mask; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_INTERRUPT_DPC NicDpc;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

static VOID NicUpdateMask(PNIC nic)
{
    NIC_LOCK(nic); // EXPECT: ndis/irql-synch-function:reachedFromCallback
    nic->Mask = 0;
    NIC_UNLOCK(nic); // EXPECT: ndis/irql-synch-function:reachedFromCallback
}

static BOOLEAN NicSyncMask(PVOID ctx)
{
    NicUpdateMask((PNIC)ctx);
    return TRUE;
}

VOID NicDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID r1, PVOID r2)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    NdisMSynchronizeWithInterruptEx(nic->Interrupt, 0, NicSyncMask, nic);
}
