/** The rules ported from SDV's NDIS rules, beyond the acceptance cases: traces, notices, withheld decisions. */
import assert from 'node:assert/strict';
import { driverEntry, ruleTester } from './support/ruleTester.js';
import { defined } from '../src/util/defined.js';
import type { ScanResult } from '../src/engine/types.js';

const NIC = `
#include <ndis.h>
typedef struct _NIC { NDIS_HANDLE H; NDIS_HANDLE Timer; NDIS_HANDLE Timers[4]; NDIS_SPIN_LOCK Lock; ULONG State; } NIC, *PNIC;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
`;

/** NDIS 5 timers, set and cancelled by pointer. */
const TIMERS = 'typedef struct _TIMERS { NDIS_TIMER Aging; NDIS_TIMER Stats; } TIMERS, *PTIMERS;';

/**
 * A driver whose halt cancels through the global `g_Timer` and whose restart points it at the aging
 * timer, then runs `restart`; `prelude` comes before the global, `afterCancel` after halt's cancel.
 */
function globalTimer(o: { prelude?: string; afterCancel?: string; restart: string }): string {
  return `${NIC}
${TIMERS}
${o.prelude ?? ''}
PNDIS_TIMER g_Timer = NULL;
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    BOOLEAN done;
    NdisCancelTimer(g_Timer, &done);${o.afterCancel ?? ''}
}
NDIS_STATUS MpRestart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    PTIMERS t = ((PNIC)c)->H;
    g_Timer = &t->Aging;
${o.restart}
    return NDIS_STATUS_SUCCESS;
}
${driverEntry('MpInit', 'MpHalt', { RestartHandler: 'MpRestart' })}`;
}

/** The cancel through `g_Timer` names no timer the rule can tell: it withholds, and reports nothing. */
function withholdsGlobalCancel(r: ScanResult): void {
  assert.ok(r.notices.some((n) => n.withheld && n.message.includes('NdisCancelTimer(g_Timer, &done)')));
  assert.equal(r.findings.length, 0);
}

const PORTED = [
  'ndis/stall-execution-delay',
  'ndis/allocate-memory-tag',
  'ndis/pause-return',
  'ndis/flags-irql',
  'ndis/irql-synch-function',
  'ndis/cancel-timer-object',
  'ndis/spinlock-balance',
];

ruleTester('sdv-ported', [
  {
    name: 'pause-return traces the line where the variable was given the bad status',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
static NDIS_STATUS MpPause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    NDIS_STATUS s;
    s = NDIS_STATUS_RESOURCES;
    if (((PNIC)c)->State)
        s = NDIS_STATUS_SUCCESS;
    return s; // EXPECT: ndis/pause-return:returnsVariable
}
${driverEntry('MpInit', 'MpHalt', { PauseHandler: 'MpPause' })}`,
    },
    check: (r) => {
      const f = defined(r.findings.find((x) => x.rule === 'ndis/pause-return'));
      assert.ok(
        f.trace.some(
          (t) => t.line === 6 + NIC.split('\n').length - 1 && t.message.includes('given NDIS_STATUS_RESOURCES'),
        ),
      );
      assert.match(f.message, /NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING/);
    },
  },
  {
    name: 'pause-return: the adapter context stored in a local declared apart is as non-NULL as the context',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
static NDIS_STATUS MpPause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    PNIC nic;
    nic = (PNIC)c;
    if (!nic)
        return NDIS_STATUS_FAILURE;
    return NDIS_STATUS_SUCCESS;
}
${driverEntry('MpInit', 'MpHalt', { PauseHandler: 'MpPause' })}`,
    },
  },
  {
    name: 'pause-return and spinlock-balance read a NULL test written through a project macro as the test',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
#define IS_NULL(p) ((p) == NULL)
#define NOT_NULL(p) ((p) != NULL)
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
static NDIS_STATUS MpPause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    if (IS_NULL(nic))
        return NDIS_STATUS_FAILURE;
    return NDIS_STATUS_SUCCESS;
}
static NDIS_STATUS MpReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    if (!NOT_NULL(nic))
        return NDIS_STATUS_FAILURE;
    nic->State = 0;
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}
${driverEntry('MpInit', 'MpHalt', { PauseHandler: 'MpPause', ResetHandlerEx: 'MpReset' })}`,
    },
  },
  {
    name: 'a timer cancelled in halt through storage the engine cannot name withholds the rule, with a notice',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    ULONG i;
    for (i = 0; i < 4; i++)
        NdisCancelTimerObject(LookupTimer(nic, i));
}
NDIS_STATUS MpRestart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    LARGE_INTEGER due;
    NdisSetTimerObject(((PNIC)c)->Timer, due, 1000, c);
    return NDIS_STATUS_SUCCESS;
}
${driverEntry('MpInit', 'MpHalt', { RestartHandler: 'MpRestart' })}`,
    },
    check: (r) => {
      assert.ok(r.notices.some((n) => n.withheld && n.message.includes('ndis/cancel-timer-object was not checked')));
      assert.equal(r.complete, false);
    },
  },
  {
    name: 'a timer cancelled through a global pointer whose address is handed to a helper withholds the rule',
    rules: PORTED,
    files: {
      'mp.c': globalTimer({
        prelude: 'VOID PickTimer(PTIMERS t, PNDIS_TIMER *out);',
        restart: '    PickTimer(t, &g_Timer);\n    NdisSetPeriodicTimer(&t->Stats, 1000);',
      }),
    },
    check: withholdsGlobalCancel,
  },
  {
    name: 'a global pointer stored through a macro names nothing: the cancel through it withholds the rule',
    rules: PORTED,
    files: {
      'mp.c': globalTimer({
        prelude: '#define KEEP_TIMER(t) (g_Timer = &(t)->Stats)',
        restart: '    KEEP_TIMER(t);\n    NdisSetPeriodicTimer(&t->Stats, 1000);',
      }),
    },
    check: withholdsGlobalCancel,
  },
  {
    name: 'a timer cancelled through a global pointer stored once names that timer (a NULL stored after points nowhere)',
    rules: PORTED,
    files: {
      'mp.c': globalTimer({
        afterCancel: '\n    g_Timer = NULL;',
        restart:
          '    NdisSetPeriodicTimer(&t->Aging, 1000);\n    NdisSetPeriodicTimer(&t->Stats, 1000); // EXPECT: ndis/cancel-timer-object:neverCancelled',
      }),
    },
    check: (r) => {
      assert.ok(!r.notices.some((n) => n.withheld));
    },
  },
  {
    name: 'a periodic timer set through an array element is the array, and halt cancelling the array covers it',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    ULONG i;
    for (i = 0; i < 4; i++)
        NdisCancelTimerObject(nic->Timers[i]);
}
NDIS_STATUS MpRestart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    LARGE_INTEGER due;
    NdisSetTimerObject(((PNIC)c)->Timers[2], due, 1000, c);
    NdisSetTimerObject(((PNIC)c)->Timer, due, 1000, c); // EXPECT: ndis/cancel-timer-object:neverCancelled
    return NDIS_STATUS_SUCCESS;
}
${driverEntry('MpInit', 'MpHalt', { RestartHandler: 'MpRestart' })}`,
    },
  },
  {
    name: 'irql-synch-function shows the chain from the synchronized function to the lock',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
static VOID Bump(PNIC n)
{
    NdisDprAcquireSpinLock(&n->Lock); // EXPECT: ndis/irql-synch-function:reachedFromCallback
    n->State++;
    NdisDprReleaseSpinLock(&n->Lock); // EXPECT: ndis/irql-synch-function:reachedFromCallback
}
static BOOLEAN Sync(PVOID ctx) { Bump((PNIC)ctx); return TRUE; }
VOID MpDpc(NDIS_HANDLE c, PVOID d, PVOID r1, PVOID r2)
{
    NdisMSynchronizeWithInterruptEx(((PNIC)c)->H, 0, Sync, c);
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
    check: (r) => {
      const f = defined(r.findings.find((x) => x.rule === 'ndis/irql-synch-function'));
      assert.match(f.message, /Sync → Bump/);
      assert.match(f.trace[0].message, /handed to NdisMSynchronizeWithInterruptEx/);
    },
  },
  {
    name: 'spinlock-balance follows a status variable that is not decided, both ways, and stays quiet when balanced',
    rules: PORTED,
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    NDIS_STATUS s = NDIS_STATUS_SUCCESS;
    NdisAcquireSpinLock(&nic->Lock);
    switch (nic->State) {
    case 1:
        s = NDIS_STATUS_FAILURE;
        break;
    default:
        goto out;
    }
out:
    NdisReleaseSpinLock(&nic->Lock);
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
  {
    name: 'spinlock-balance: two ifs on one condition are one pair, however many other conditions lie between',
    rules: ['ndis/spinlock-balance'],
    files: {
      'mp.c': `${NIC}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    if (nic->State) NdisAcquireSpinLock(&nic->Lock);
    if (nic->H) Trace(1);
    if (nic->Timer) Trace(2);
    if (nic->Timers[0]) Trace(3);
    if (nic->Timers[1]) Trace(4);
    if (nic->State) NdisReleaseSpinLock(&nic->Lock);
}
${driverEntry('MpInit', 'MpHalt')}`,
    },
  },
]);
