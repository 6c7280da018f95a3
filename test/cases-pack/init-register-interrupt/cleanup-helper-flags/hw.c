#include "adapter.h"

extern NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MpInterruptChars;

NDIS_STATUS
MpRegisterInterrupt(PMP_ADAPTER Adapter)
{
    NDIS_STATUS Status;

    Status = NdisMRegisterInterruptEx(Adapter->AdapterHandle, Adapter, &MpInterruptChars, &Adapter->InterruptHandle);
    if (Status == NDIS_STATUS_SUCCESS)
        MP_SET_FLAG(Adapter, fMP_INTERRUPT_REGISTERED);
    return Status;
}

VOID
MpFreeAdapterResources(PMP_ADAPTER Adapter)
{
    if (MP_TEST_FLAG(Adapter, fMP_INTERRUPT_REGISTERED)) {
        NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
    }
    NdisFreeMemory(Adapter, 0, 0);
}
