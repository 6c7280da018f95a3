/**
 * Insertion operators: a self-contained block that makes one call a rule forbids in some callbacks is
 * put on the line of a labelled callback's opening brace, after the brace; the rule must be reported at
 * that line, and nothing else of it (what the block acquires is a local only the block sees, so no
 * pairing duty applies to it). Which callbacks take the block is read from the label's `callbacks`
 * (their roles as the labeller named them), never from what the tool knows: a callback the engine does
 * not recognise leaves its mutant alive, which is what these operators measure besides the rule.
 *
 * - "map-in-callback" (`ndis/mmap-context`): `NdisMMapIoSpace` in a callback other than initialize.
 * - "ports-in-callback" (`ndis/ioport-range`, its context duty): `NdisMRegisterIoPortRange` likewise.
 * - "free-in-shutdown" (`ndis/shared-memory`): `NdisMFreeSharedMemory` in the shutdown callback.
 * - "lock-at-device-irql" (`ndis/irql-synch-function`): a spin lock taken and released in a callback
 *   that runs at device IRQL (the ISR, a function synchronized with the interrupt, interrupt enable and
 *   disable).
 * - "irql-in-flagged-callback" (`ndis/flags-irql`): `KeGetCurrentIrql()` in a callback whose flags say
 *   the IRQL (send, return, send-complete, receive of net buffer lists).
 */

import { loadRulePack } from '../../src/engine/rulepack.js';
import { lineOf } from '../ctext.js';
import { inIfZero, reach } from '../cfuncs.js';
import type { OperatorOutput } from '../mutant.js';
import { MAP_API, RULE_CONTEXT } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { defined } from '../../src/util/defined.js';

export const MAP_IN_CALLBACK = 'map-in-callback';
export const PORTS_IN_CALLBACK = 'ports-in-callback';
export const FREE_IN_SHUTDOWN = 'free-in-shutdown';
export const LOCK_AT_DEVICE_IRQL = 'lock-at-device-irql';
export const IRQL_IN_FLAGGED_CALLBACK = 'irql-in-flagged-callback';

export const INSERTED_MAPPING =
  ` { PVOID NdisReviewVa; NDIS_PHYSICAL_ADDRESS NdisReviewPa; NdisReviewPa.QuadPart = 0;` +
  ` ${MAP_API}(&NdisReviewVa, NULL, NdisReviewPa, 0x1000); }`;
export const INSERTED_PORTS = ` { PVOID NdisReviewPorts; NdisMRegisterIoPortRange(&NdisReviewPorts, NULL, 0x300, 0x20); }`;
export const INSERTED_FREE =
  ` { NDIS_PHYSICAL_ADDRESS NdisReviewPa; NdisReviewPa.QuadPart = 0;` +
  ` NdisMFreeSharedMemory(NULL, 0x1000, FALSE, NULL, NdisReviewPa); }`;
export const INSERTED_LOCK = ` { NDIS_SPIN_LOCK NdisReviewLock; NdisAcquireSpinLock(&NdisReviewLock); NdisReleaseSpinLock(&NdisReviewLock); }`;
export const INSERTED_IRQL = ` { (VOID)KeGetCurrentIrql(); }`;

/** Which labelled callbacks take the block: undefined for yes, or the generator's rule that excludes one. */
type Target = (callback: { name: string; role: string }, ctx: OperatorContext) => string | undefined;

interface InsertOperator {
  id: string;
  rule: string;
  text: string;
  /** Says what was put where: `${what} in ${role} callback ${name}`. */
  what: string;
  target: Target;
}

/** The roles a context duty of a rule allows its call in, read from the rule pack so the two agree. */
function allowedRoles(ruleId: string): Set<string> {
  const rule = loadRulePack().rules.find((r) => r.id === ruleId);
  if (rule?.kind === 'call-context') return new Set(rule.allowedRoles);
  if (rule?.kind === 'pairing') return new Set(rule.duties.context?.allowedRoles ?? []);
  return new Set();
}

/** What initialize reaches by plain calls, once per driver (every callback of every insertion asks). */
const reachedFromInitialize = new WeakMap<OperatorContext, Set<string>>();

function initializeReach(ctx: OperatorContext): Set<string> {
  let reached = reachedFromInitialize.get(ctx);
  if (!reached) {
    reached = reach(
      ctx.graph().calls,
      ctx.label.initialize.map((i) => i.name),
    );
    reachedFromInitialize.set(ctx, reached);
  }
  return reached;
}

/** Every callback but initialize, halt, the roles the rule allows, and one initialize calls (it runs in its context). */
function outsideInitialize(ruleId: string): Target {
  let allowed: Set<string> | undefined;
  return (callback, ctx) => {
    allowed ??= allowedRoles(ruleId);
    if (
      ctx.label.initialize.some((i) => i.name === callback.name) ||
      ctx.label.halt.some((h) => h.name === callback.name)
    )
      return 'the callback is initialize or halt';
    if (allowed.has(callback.role)) return 'the rule allows the call in this role';
    if (initializeReach(ctx).has(callback.name)) return 'initialize calls the callback';
    return undefined;
  };
}

/**
 * Only callbacks the labeller gave one of these roles; the others are not this operator's places (not
 * counted). `notCalled`: a callback another function also calls directly is excluded when nothing
 * registers or hands it off by name, for a rule that then cannot tell which context it runs in (a
 * declared `MINIPORT_SYNCHRONIZE_INTERRUPT` function an OID handler calls, its handoff in `#if 0`).
 */
function ofRoles(roles: readonly string[], notCalled = false): Target {
  const set = new Set(roles);
  return (callback, ctx) => {
    if (!set.has(callback.role)) return NOT_A_TARGET;
    if (
      notCalled &&
      [...ctx.graph().calls].some(([caller, names]) => caller !== callback.name && names.has(callback.name)) &&
      !handedByName(ctx, callback.name)
    )
      return 'another function calls the callback directly, and no registration or handoff names it';
    return undefined;
  };
}

/**
 * Is the function's name used as a value in compiled code (`Chars.ISRHandler = Isr`, an argument of
 * `NdisMSynchronizeWithInterruptEx`): a registration or a handoff, not a call, a declaration
 * (`MINIPORT_ISR Isr;`) or a definition?
 */
function handedByName(ctx: OperatorContext, name: string): boolean {
  for (const file of ctx.files()) {
    const c = ctx.c(file);
    if (!c?.masked.includes(name)) continue;
    const tokens = ctx.tokens(file);
    for (let k = 0; k < tokens.length; k++) {
      if (tokens[k].text !== name || tokens[k + 1]?.text === '(' || tokens[k - 1]?.kind === 'id') continue;
      if (!inIfZero(c, tokens[k].start)) return true;
    }
  }
  return false;
}

/** Not an exclusion: the callback is simply not a place the operator edits. */
const NOT_A_TARGET = '';

export const INSERT_OPERATORS: readonly InsertOperator[] = [
  {
    id: MAP_IN_CALLBACK,
    rule: RULE_CONTEXT,
    text: INSERTED_MAPPING,
    what: MAP_API,
    target: outsideInitialize(RULE_CONTEXT),
  },
  {
    id: PORTS_IN_CALLBACK,
    rule: 'ndis/ioport-range',
    text: INSERTED_PORTS,
    what: 'NdisMRegisterIoPortRange',
    target: outsideInitialize('ndis/ioport-range'),
  },
  {
    id: FREE_IN_SHUTDOWN,
    rule: 'ndis/shared-memory',
    text: INSERTED_FREE,
    what: 'NdisMFreeSharedMemory',
    target: ofRoles(['shutdown']),
  },
  {
    id: LOCK_AT_DEVICE_IRQL,
    rule: 'ndis/irql-synch-function',
    text: INSERTED_LOCK,
    what: 'a spin lock taken and released',
    target: ofRoles(
      [
        'isr',
        'message-isr',
        'synchronize-with-interrupt',
        'enable-interrupt',
        'disable-interrupt',
        'enable-message-interrupt',
        'disable-message-interrupt',
      ],
      true,
    ),
  },
  {
    id: IRQL_IN_FLAGGED_CALLBACK,
    rule: 'ndis/flags-irql',
    text: INSERTED_IRQL,
    what: 'KeGetCurrentIrql()',
    target: ofRoles([
      'send-net-buffer-lists',
      'return-net-buffer-lists',
      'protocol-send-net-buffer-lists-complete',
      'protocol-receive-net-buffer-lists',
    ]),
  },
];

export function insertInCallback(ctx: OperatorContext, op: InsertOperator): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const seen = new Set<string>();
  for (const callback of ctx.label.callbacks) {
    if (seen.has(placeKey(callback))) continue;
    const why = op.target(callback, ctx);
    if (why === NOT_A_TARGET) continue;
    seen.add(placeKey(callback));
    if (why !== undefined) {
      out.excluded.push(ctx.exclusion(op.id, why, callback, `${callback.name} (${callback.role})`));
      continue;
    }
    const def = ctx.definition(callback);
    if (!def) {
      out.excluded.push(
        ctx.exclusion(op.id, 'the callback definition is not found at its line', callback, callback.name),
      );
      continue;
    }
    const c = defined(ctx.c(callback.file));
    const line = lineOf(c, def.open);
    out.mutants.push({
      id: `${op.id}@${placeKey(callback)}`,
      operator: op.id,
      file: callback.file,
      line,
      description: `${op.what} in ${callback.role} callback ${callback.name}`,
      edits: [{ file: callback.file, start: def.open + 1, end: def.open + 1, text: op.text }],
      expected: [{ rule: op.rule, file: callback.file, line }],
      rules: [op.rule],
    });
  }
  return out;
}

/** The operators as the generator lists them. */
export const insertOperators = INSERT_OPERATORS.map((op) => ({
  id: op.id,
  run: (ctx: OperatorContext) => insertInCallback(ctx, op),
}));

export function mapInCallback(ctx: OperatorContext): OperatorOutput {
  return insertInCallback(ctx, defined(INSERT_OPERATORS.find((op) => op.id === MAP_IN_CALLBACK)));
}
