/**
 * Two instances of one struct under one name. Storage is named by type (`keys.ts`): `Port->VNic`
 * of every port is the one key `MP_PORT.VNic`. athwifi's initialize allocates a helper port and
 * then a station port, each with its own VNIC and I/O work item; the second port's allocation
 * writes NULL into that key (`NdisZeroMemory(newPort, sizeof(MP_PORT))`, then `*ppVNic = NULL`)
 * while the first port still holds its work item through it. Read as one storage, the write hid
 * the first port's VNIC from its own cleanup (`if (Port->VNic != NULL) VNic11Free(Port->VNic)`
 * was judged skipped) and the rule reported a work item leaked that the driver frees.
 *
 * So a NULL written over a pointer field is taken for another instance's when the struct it
 * points to, or one that struct leads to, holds a resource this path still holds: the field keeps
 * what the path knew of it. Releasing first and then clearing the pointer, the usual order,
 * writes NULL as before. The cost of the rule is a miss, never a false alarm: a driver that
 * clears the only pointer to a struct still holding a resource is not told it leaked.
 */
import type { Analysis } from './pathcontext.js';
import { holderType } from './keys.js';
import { isFieldKey, type State } from './pathstate.js';
import { rememberedPer } from '../util/memo.js';

/** How deep struct fields are followed from the pointee (`PORT.VNic` → `VNIC.Queue` → `QUEUE.Item`). */
const MAX_DEPTH = 3;

const reachableByProgram = new WeakMap<Analysis['program'], Map<string, ReadonlySet<string>>>();

/**
 * Would writing NULL into field key `k` on this path hide a resource still held through it? Only
 * a field of a known struct whose type is a struct the program defines is asked.
 */
export function hidesHeldResource(an: Analysis, k: string, s: State): boolean {
  if (s.res.size === 0) return false;
  const pointee = fieldPointee(an, k);
  if (!pointee) return false;
  const types = reachableTypes(an, pointee);
  for (const [key, gid] of s.res) {
    if (!isFieldKey(key)) continue;
    const g = s.groups.get(gid);
    if (!g || (g.st !== 'held' && g.st !== 'cond')) continue;
    const dot = key.indexOf('.');
    if (types.has(key.slice(0, dot))) return true;
  }
  return false;
}

/**
 * The struct types `hidesHeldResource` may look for a held field in when NULL is stored into a field
 * named `field` of any struct: those reachable from what such a field points to (per analysis).
 */
export const typesHeldThrough: (an: Analysis, field: string) => ReadonlySet<string> = rememberedPer(readHeldThrough);

function readHeldThrough(an: Analysis, field: string): ReadonlySet<string> {
  const out = new Set<string>();
  for (const fields of an.program.structs.values()) {
    if (!Object.hasOwn(fields, field)) continue;
    const ty = an.keys.canonicalType(fields[field]);
    if (!an.program.structs.has(ty)) continue;
    for (const t of reachableTypes(an, an.keys.displayType(ty))) out.add(t);
  }
  return out;
}

/** The display type of the struct field `k` points to (`VNIC` of `MP_PORT.VNic`), if a struct. */
function fieldPointee(an: Analysis, k: string): string | undefined {
  const holder = holderType(k);
  if (!holder) return undefined;
  const fields = an.keys.fieldsOf(holder);
  const ft = fields?.[k.slice(holder.length + 1)];
  if (!ft) return undefined;
  const ty = an.keys.canonicalType(ft);
  return an.program.structs.has(ty) ? an.keys.displayType(ty) : undefined;
}

/** The struct types reachable from `root` through struct-typed fields, `root` included. */
function reachableTypes(an: Analysis, root: string): ReadonlySet<string> {
  let memo = reachableByProgram.get(an.program);
  if (!memo) reachableByProgram.set(an.program, (memo = new Map<string, ReadonlySet<string>>()));
  const known = memo.get(root);
  if (known) return known;
  const out = new Set<string>([root]);
  let frontier = [root];
  for (let d = 0; d < MAX_DEPTH && frontier.length; d++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const ft of Object.values(an.keys.fieldsOf(t) ?? {})) {
        const c = an.keys.canonicalType(ft);
        if (!an.program.structs.has(c)) continue;
        const shown = an.keys.displayType(c);
        if (out.has(shown)) continue;
        out.add(shown);
        next.push(shown);
      }
    }
    frontier = next;
  }
  memo.set(root, out);
  return out;
}
