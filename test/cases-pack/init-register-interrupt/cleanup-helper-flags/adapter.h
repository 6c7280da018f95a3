#pragma once
#include <ndis.h>

#define fMP_INTERRUPT_REGISTERED 0x00000004
#define MP_SET_FLAG(a, f) ((a)->Flags |= (f))
#define MP_TEST_FLAG(a, f) (((a)->Flags & (f)) != 0)

typedef struct _MP_ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE InterruptHandle;
    ULONG Flags;
} MP_ADAPTER, *PMP_ADAPTER;

NDIS_STATUS MpRegisterInterrupt(PMP_ADAPTER Adapter);
VOID MpFreeAdapterResources(PMP_ADAPTER Adapter);
NDIS_STATUS NICReadEeprom(PMP_ADAPTER Adapter);
