/**
 * Memory the device shares with the driver: after a wait or a store into mapped
 * registers, what the path knew of struct fields may no longer hold, except
 * the driver's own bookkeeping (flag bits it set, BOOLEAN fields, the fields of
 * the structs it keeps its handles in).
 */
import type { Expr } from './ast.js';
import { holderType, stripCasts } from './keys.js';
import { isFieldKey, type State } from './pathstate.js';
import { keyOf, type Analysis, type Ctx } from './pathcontext.js';

/** Declared types of the driver's own yes/no bookkeeping, which no device writes. */
const BOOLEAN_TYPE = /^(?:BOOLEAN|BOOL|bool|_Bool)$/;

/**
 * The device may have written memory it shares with the driver: values learned of struct fields
 * are forgotten, except the driver's own bookkeeping, which no device writes:
 *
 * - flag bits the driver set itself (no device writes a driver's flag word);
 * - fields declared BOOLEAN (`Adapter->InterruptRegistered`): no device descriptor or register
 *   layout declares one;
 * - the fields of a struct the path keeps a resource's handle in (`Adapter->Regs` holding the
 *   mapping makes every `ADAPTER.F` bookkeeping). What the device shares with the driver is the
 *   memory NDIS hands out for it: a register window, shared (DMA) memory. The driver stores the
 *   handles and addresses of that memory in its own structs; the device knows nothing of those
 *   structs, they are not the memory the handles name. Only a field of that struct itself counts
 *   (`ADAPTER.Guard`): storage reached through one of its pointers is keyed by the pointed-to
 *   struct (`CSR.Status`) or by a longer path (`ADAPTER.Ring[]`, `ADAPTER.Desc.Status`), and may
 *   well be the device's, so it is forgotten.
 *
 * What another thread (an interrupt handler) writes during the wait is not modelled here, as it is
 * not at any other statement of the path.
 */
export function forgetDeviceMemory(an: Analysis, s: State): void {
  const own = handleHolders(s);
  for (const k of [...s.vals.keys()])
    if (
      isFieldKey(k) &&
      !k.includes('&') &&
      !isBooleanField(an, k) &&
      !own.has(holderType(k) ?? '') &&
      !pointsToOwn(an, k, own)
    )
      s.vals.delete(k);
}

/**
 * Does the field point to (or hold) a struct the driver keeps a handle in (`Adapter->HwInfo` when
 * `HW_INFO.Regs` holds the mapping)? The pointer by which the driver reaches its own bookkeeping is
 * its own too: a device that wrote it would have to know where the driver keeps its structs.
 */
function pointsToOwn(an: Analysis, k: string, own: ReadonlySet<string>): boolean {
  if (own.size === 0) return false;
  const ty = fieldType(an, k);
  return ty !== undefined && own.has(an.keys.displayType(ty));
}

/** Structs the path keeps a resource's handle in: the driver's own. */
function handleHolders(s: State): Set<string> {
  const out = new Set<string>();
  for (const k of s.res.keys()) {
    const h = holderType(k);
    if (h !== undefined) out.add(h);
  }
  return out;
}

function isBooleanField(an: Analysis, k: string): boolean {
  let cached = an.booleanFields.get(k);
  if (cached === undefined) {
    cached = BOOLEAN_TYPE.test(fieldType(an, k) ?? '');
    an.booleanFields.set(k, cached);
  }
  return cached;
}

/** The declared type of a key's last field (`ADAPTER.Regs` → `PVOID`), where the structs are known. */
function fieldType(an: Analysis, k: string): string | undefined {
  const parts = k.split('.');
  const lookup = (ty: string) => an.keys.fieldsOf(ty);
  let fields = lookup(parts[0]);
  for (let i = 1; i < parts.length && fields; i++) {
    const ft = fields[parts[i].replace(/\[\]$/, '')] as string | undefined;
    if (ft === undefined) return undefined;
    if (i === parts.length - 1) return an.keys.canonicalType(ft);
    fields = lookup(ft);
  }
  return undefined;
}

/**
 * Does an access go through a mapped register window the path holds (`Adapter->Csr->Port`)?
 */
export function throughMapping(an: Analysis, e: Expr, s: State, ctx: Ctx): boolean {
  // Shared memory, an interrupt or a work item handle: storing through it starts nothing on the device.
  if (!an.resource.deviceRegisters) return false;
  let cur = stripCasts(e);
  for (let i = 0; i < 32; i++) {
    if (cur.t === 'un' && cur.op === '&') cur = stripCasts(cur.e);
    else if (cur.t === 'fld' || cur.t === 'idx') cur = stripCasts(cur.o);
    else if (cur.t === 'un' && cur.op === '*') cur = stripCasts(cur.e);
    else if (cur.t === 'bin' && (cur.op === '+' || cur.op === '-')) cur = stripCasts(cur.l);
    else break;
    const k = keyOf(an, cur, ctx.env);
    const gid = k ? s.res.get(k) : undefined;
    if (gid !== undefined) {
      const g = s.groups.get(gid);
      if (g && g.st !== 'released' && g.st !== 'null') return true;
    }
  }
  return false;
}
