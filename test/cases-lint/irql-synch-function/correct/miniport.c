/* The ISR only reads the device; the DPC takes the spin lock; the DPC shares data with the ISR through NdisMSynchronizeWithInterruptEx. */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_HANDLE Interrupt; NDIS_SPIN_LOCK Lock; ULONG Events; ULONG Pending; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_ISR NicIsr;
MINIPORT_INTERRUPT_DPC NicDpc;
MINIPORT_SYNCHRONIZE_INTERRUPT NicTakeEvents;

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

BOOLEAN NicIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    nic->Pending |= 1;
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}

BOOLEAN NicTakeEvents(NDIS_HANDLE SynchronizeContext)
{
    PNIC nic = (PNIC)SynchronizeContext;
    nic->Events = nic->Pending;
    nic->Pending = 0;
    return TRUE;
}

VOID NicDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID r1, PVOID r2)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    NdisMSynchronizeWithInterruptEx(nic->Interrupt, 0, NicTakeEvents, nic);
    NdisDprAcquireSpinLock(&nic->Lock);
    nic->Events = 0;
    NdisDprReleaseSpinLock(&nic->Lock);
}
