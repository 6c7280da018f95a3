/*
 * What a path remembers of the `if`s it went through, in loops and after them.
 *
 * NicDpc reads the event register at the head of its loop and tests sixteen bits of it, once
 * each, as imx27-fec's and tbatm155's interrupt handlers do: the next time round it tests a new
 * value, so the way a bit went before says nothing of the way it goes now, and the walk does not
 * keep the sixteen decisions apart (it used to, one state per combination, and ran out of steps
 * before it had followed the handler). It returns early with the lock held.
 *
 * NicOid takes and releases its lock first and then checks sixteen task flags in a loop (as
 * e100bex's set-information handler checks its offload tasks): no lock call lies ahead of those
 * checks and nothing is held, so no path through them can find anything, and they are not walked
 * one combination at a time. It reports nothing.
 *
 * NicSend tests each of sixteen flags twice in a row before it takes and releases its lock: once
 * past a flag's second test its decision is read no more, and paths that differed only in it are
 * one again (they went on apart, one state per combination, and ran out of steps).
 *
 * NicReset reads the probe status twice: a take under the first reading and a release under the
 * second are two readings of the device, not one, so the paths where they differ are walked (the
 * decision on `Status` is forgotten where `Status` is stored into again). NicCheck tests one
 * reading twice: those paths cannot differ, and it reports nothing.
 */
#include <ndis.h>

typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Count; ULONG Tasks; ULONG Supported; } NIC, *PNIC;

MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_INTERRUPT_DPC NicDpc;
MINIPORT_OID_REQUEST NicOid;
MINIPORT_RESET NicReset;
MINIPORT_CHECK_FOR_HANG NicCheck;
MINIPORT_SEND_NET_BUFFER_LISTS NicSend;

ULONG NicReadEvents(PNIC Nic);
NDIS_STATUS NicProbe(PNIC Nic);
VOID NicTrace(ULONG Where);

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }

VOID NicDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    PNIC nic = (PNIC)MiniportInterruptContext;
    ULONG Events;

    while ((Events = NicReadEvents(nic)) != 0)
    {
        if (Events & 0x0001) NicTrace(1);
        if (Events & 0x0002) NicTrace(2);
        if (Events & 0x0004) NicTrace(3);
        if (Events & 0x0008) NicTrace(4);
        if (Events & 0x0010) NicTrace(5);
        if (Events & 0x0020) NicTrace(6);
        if (Events & 0x0040) NicTrace(7);
        if (Events & 0x0080) NicTrace(8);
        if (Events & 0x0100) NicTrace(9);
        if (Events & 0x0200) NicTrace(10);
        if (Events & 0x0400) NicTrace(11);
        if (Events & 0x0800) NicTrace(12);
        if (Events & 0x1000) NicTrace(13);
        if (Events & 0x2000) NicTrace(14);
        if (Events & 0x4000) NicTrace(15);
        if (Events & 0x8000) NicTrace(16);
        NdisDprAcquireSpinLock(&nic->Lock);
        nic->Count++;
        if (nic->Count > 100)
        {
            return; // EXPECT: ndis/spinlock-balance:heldAtReturn
        }
        NdisDprReleaseSpinLock(&nic->Lock);
    }
}

NDIS_STATUS NicOid(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    ULONG i;

    NdisAcquireSpinLock(&nic->Lock);
    nic->Count = 0;
    NdisReleaseSpinLock(&nic->Lock);
    for (i = 0; i < 4; i++)
    {
        if (nic->Supported & 0x0001) nic->Tasks |= 0x0001;
        if (nic->Supported & 0x0002) nic->Tasks |= 0x0002;
        if (nic->Supported & 0x0004) nic->Tasks |= 0x0004;
        if (nic->Supported & 0x0008) nic->Tasks |= 0x0008;
        if (nic->Supported & 0x0010) nic->Tasks |= 0x0010;
        if (nic->Supported & 0x0020) nic->Tasks |= 0x0020;
        if (nic->Supported & 0x0040) nic->Tasks |= 0x0040;
        if (nic->Supported & 0x0080) nic->Tasks |= 0x0080;
        if (nic->Supported & 0x0100) nic->Tasks |= 0x0100;
        if (nic->Supported & 0x0200) nic->Tasks |= 0x0200;
        if (nic->Supported & 0x0400) nic->Tasks |= 0x0400;
        if (nic->Supported & 0x0800) nic->Tasks |= 0x0800;
        if (nic->Supported & 0x1000) nic->Tasks |= 0x1000;
        if (nic->Supported & 0x2000) nic->Tasks |= 0x2000;
        if (nic->Supported & 0x4000) nic->Tasks |= 0x4000;
        if (nic->Supported & 0x8000) nic->Tasks |= 0x8000;
        if (nic->Tasks == 0) return NDIS_STATUS_NOT_SUPPORTED;
    }
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NicReset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NDIS_STATUS Status;

    Status = NicProbe(nic);
    if (Status == NDIS_STATUS_SUCCESS)
    {
        NdisAcquireSpinLock(&nic->Lock);
    }
    nic->Count = 0;
    Status = NicProbe(nic);
    if (Status == NDIS_STATUS_SUCCESS)
    {
        NdisReleaseSpinLock(&nic->Lock); // EXPECT: ndis/spinlock-balance:releaseNotHeld
    }
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/spinlock-balance:heldAtReturn
}

BOOLEAN NicCheck(NDIS_HANDLE MiniportAdapterContext)
{
    PNIC nic = (PNIC)MiniportAdapterContext;
    NDIS_STATUS Status;

    Status = NicProbe(nic);
    if (Status == NDIS_STATUS_SUCCESS)
    {
        NdisAcquireSpinLock(&nic->Lock);
    }
    nic->Count = 0;
    if (Status == NDIS_STATUS_SUCCESS)
    {
        NdisReleaseSpinLock(&nic->Lock);
    }
    return FALSE;
}

VOID NicSend(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PNIC nic = (PNIC)MiniportAdapterContext;

    if (nic->Supported & 0x0001) NicTrace(1);
    if (nic->Supported & 0x0001) NicTrace(2);
    if (nic->Supported & 0x0002) NicTrace(3);
    if (nic->Supported & 0x0002) NicTrace(4);
    if (nic->Supported & 0x0004) NicTrace(5);
    if (nic->Supported & 0x0004) NicTrace(6);
    if (nic->Supported & 0x0008) NicTrace(7);
    if (nic->Supported & 0x0008) NicTrace(8);
    if (nic->Supported & 0x0010) NicTrace(9);
    if (nic->Supported & 0x0010) NicTrace(10);
    if (nic->Supported & 0x0020) NicTrace(11);
    if (nic->Supported & 0x0020) NicTrace(12);
    if (nic->Supported & 0x0040) NicTrace(13);
    if (nic->Supported & 0x0040) NicTrace(14);
    if (nic->Supported & 0x0080) NicTrace(15);
    if (nic->Supported & 0x0080) NicTrace(16);
    if (nic->Supported & 0x0100) NicTrace(17);
    if (nic->Supported & 0x0100) NicTrace(18);
    if (nic->Supported & 0x0200) NicTrace(19);
    if (nic->Supported & 0x0200) NicTrace(20);
    if (nic->Supported & 0x0400) NicTrace(21);
    if (nic->Supported & 0x0400) NicTrace(22);
    if (nic->Supported & 0x0800) NicTrace(23);
    if (nic->Supported & 0x0800) NicTrace(24);
    if (nic->Supported & 0x1000) NicTrace(25);
    if (nic->Supported & 0x1000) NicTrace(26);
    if (nic->Supported & 0x2000) NicTrace(27);
    if (nic->Supported & 0x2000) NicTrace(28);
    if (nic->Supported & 0x4000) NicTrace(29);
    if (nic->Supported & 0x4000) NicTrace(30);
    if (nic->Supported & 0x8000) NicTrace(31);
    if (nic->Supported & 0x8000) NicTrace(32);
    NdisAcquireSpinLock(&nic->Lock);
    nic->Count++;
    NdisReleaseSpinLock(&nic->Lock);
}
