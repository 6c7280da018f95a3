/* The ISR takes the adapter's spin lock: both the acquire and the release are reported. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Events; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_ISR NicIsr;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

BOOLEAN NicIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    NdisDprAcquireSpinLock(&nic->Lock); // EXPECT: ndis/irql-synch-function:inCallback
    nic->Events++;
    NdisDprReleaseSpinLock(&nic->Lock); // EXPECT: ndis/irql-synch-function:inCallback
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}
