/*
 * The ndislwf sample's lock macros as the sample really defines them: one definition per `#if`
 * branch. The debug build (DBG_SPIN_LOCK) calls audit helpers handed a FILTER_LOCK, which take the
 * NDIS_SPIN_LOCK inside it; the release build takes the lock itself, in the form the DispatchLevel
 * argument picks. The two builds name the lock differently, so the rule walks each callback once per
 * build and reports what every build finds, at the same place: the attach that returns early with the
 * lock held. A mistake of the debug build alone (a trace macro that takes a lock only there, and a
 * return that keeps it) is not reported: which build ships is not known from the source. The
 * statistics lock's macros have three builds; the callback that uses them is walked three times (in
 * the third, the filter lock's macros, defined twice, expand their last definition), the ones that
 * use only the two-build macros twice.
 */
#include <ndis.h>

#if DBG_SPIN_LOCK
typedef struct _FILTER_LOCK
{
    ULONG Signature;
    ULONG IsAcquired;
    NDIS_SPIN_LOCK NdisLock;
} FILTER_LOCK, *PFILTER_LOCK;
#else
typedef NDIS_SPIN_LOCK FILTER_LOCK;
typedef PNDIS_SPIN_LOCK PFILTER_LOCK;
#endif

typedef struct _MS_FILTER
{
    FILTER_LOCK Lock;
    NDIS_SPIN_LOCK TraceLock;
    NDIS_SPIN_LOCK StatsLock;
    struct { NDIS_SPIN_LOCK Lock; ULONG Count; } Stats;
    NDIS_HANDLE FilterHandle;
    ULONG State;
    ULONG Sent;
} MS_FILTER, *PMS_FILTER;

#if DBG_SPIN_LOCK
NDIS_SPIN_LOCK filterdLockLock;

VOID filterAcquireSpinLock(PFILTER_LOCK pLock, ULONG FileNumber, ULONG LineNumber, BOOLEAN DispatchLevel)
{
    NdisDprAcquireSpinLock(&filterdLockLock);
    pLock->IsAcquired++;
    NdisDprReleaseSpinLock(&filterdLockLock);
    if (DispatchLevel)
        NdisDprAcquireSpinLock(&pLock->NdisLock);
    else
        NdisAcquireSpinLock(&pLock->NdisLock);
}

VOID filterReleaseSpinLock(PFILTER_LOCK pLock, ULONG FileNumber, ULONG LineNumber, BOOLEAN DispatchLevel)
{
    NdisDprAcquireSpinLock(&filterdLockLock);
    pLock->IsAcquired--;
    NdisDprReleaseSpinLock(&filterdLockLock);
    if (DispatchLevel)
        NdisDprReleaseSpinLock(&pLock->NdisLock);
    else
        NdisReleaseSpinLock(&pLock->NdisLock);
}

#define FILTER_ACQUIRE_LOCK(_pLock, DispatchLevel) \
    filterAcquireSpinLock(_pLock, 0, __LINE__, DispatchLevel)
#define FILTER_RELEASE_LOCK(_pLock, DispatchLevel) \
    filterReleaseSpinLock(_pLock, 0, __LINE__, DispatchLevel)
#define FILTER_TRACE_ENTER(f) NdisAcquireSpinLock(&(f)->TraceLock)
#else
#define FILTER_ACQUIRE_LOCK(_pLock, DispatchLevel) \
    {                                              \
        if (DispatchLevel)                         \
        {                                          \
            NdisDprAcquireSpinLock(_pLock);        \
        }                                          \
        else                                       \
        {                                          \
            NdisAcquireSpinLock(_pLock);           \
        }                                          \
    }
#define FILTER_RELEASE_LOCK(_pLock, DispatchLevel) \
    {                                              \
        if (DispatchLevel)                         \
        {                                          \
            NdisDprReleaseSpinLock(_pLock);        \
        }                                          \
        else                                       \
        {                                          \
            NdisReleaseSpinLock(_pLock);           \
        }                                          \
    }
#define FILTER_TRACE_ENTER(f) ((void)0)
#endif

#if FILTER_STATS_AUDIT
#define FILTER_STATS_TAKE(f) NdisDprAcquireSpinLock(&(f)->Stats.Lock)
#define FILTER_STATS_GIVE(f) NdisDprReleaseSpinLock(&(f)->Stats.Lock)
#elif FILTER_STATS_GLOBAL
NDIS_SPIN_LOCK FilterGlobalStatsLock;
#define FILTER_STATS_TAKE(f) NdisDprAcquireSpinLock(&FilterGlobalStatsLock)
#define FILTER_STATS_GIVE(f) NdisDprReleaseSpinLock(&FilterGlobalStatsLock)
#else
#define FILTER_STATS_TAKE(f) NdisDprAcquireSpinLock(&(f)->StatsLock)
#define FILTER_STATS_GIVE(f) NdisDprReleaseSpinLock(&(f)->StatsLock)
#endif

FILTER_ATTACH FilterAttach;
FILTER_RETURN_NET_BUFFER_LISTS FilterReturnNetBufferLists;
FILTER_SEND_NET_BUFFER_LISTS FilterSendNetBufferLists;
FILTER_RESTART FilterRestart;

NDIS_STATUS FilterAttach(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext, PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterDriverContext;
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, FALSE);
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER; // EXPECT: ndis/spinlock-balance:heldAtReturn
    pFilter->State = 1;
    FILTER_RELEASE_LOCK(&pFilter->Lock, FALSE);
    return NDIS_STATUS_SUCCESS;
}

VOID FilterSendNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    BOOLEAN DispatchLevel = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags);
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, DispatchLevel);
    if (pFilter->State != 1)
    {
        FILTER_RELEASE_LOCK(&pFilter->Lock, DispatchLevel);
        NdisFSendNetBufferListsComplete(pFilter->FilterHandle, NetBufferLists, 0);
        return;
    }
    pFilter->Sent++;
    FILTER_RELEASE_LOCK(&pFilter->Lock, DispatchLevel);
    NdisFSendNetBufferLists(pFilter->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

NDIS_STATUS FilterRestart(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    FILTER_TRACE_ENTER(pFilter);
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, FALSE);
    pFilter->State = 1;
    FILTER_RELEASE_LOCK(&pFilter->Lock, FALSE);
    return NDIS_STATUS_SUCCESS;
}

VOID FilterReturnNetBufferLists(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PMS_FILTER pFilter = (PMS_FILTER)FilterModuleContext;
    BOOLEAN DispatchLevel = NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags);
    FILTER_STATS_TAKE(pFilter);
    pFilter->Stats.Count++;
    FILTER_STATS_GIVE(pFilter);
    FILTER_ACQUIRE_LOCK(&pFilter->Lock, DispatchLevel);
    pFilter->Sent--;
    FILTER_RELEASE_LOCK(&pFilter->Lock, DispatchLevel);
    NdisFReturnNetBufferLists(pFilter->FilterHandle, NetBufferLists, ReturnFlags);
}
