/**
 * The native memory of tree-sitter's trees. A `Tree` is a small JavaScript
 * object holding its whole syntax tree in C memory, which V8 neither sees
 * nor counts (not in the heap, not in `external`, not under a worker's
 * `resourceLimits`). The engine drops each tree as soon as it has read its
 * facts, but the C memory is freed only when a full collection finds the
 * object unreachable and then, on a later turn of the event loop, Node runs
 * its finalizer. Nothing makes V8 collect for memory it cannot see, so a
 * long scan, or a thread that runs scan after scan, piles up trees that are
 * long garbage: measured, 2,200 trees alive after one scan of a 5.6 MB
 * driver and 4,860 after three, RSS growing by hundreds of MB a scan.
 *
 * So the parser counts what it hands out (`noteTree`), and the engine calls
 * `releaseTrees` where it may wait (between files of the parse stage, after
 * the rules): past the bound, it runs a full collection and lets the event
 * loop turn once, which frees every tree no longer used. The rules parse
 * function details synchronously; what they make is released after them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Native bytes of a tree per node it has (`descendantCount`, which tree-sitter
 * knows without a walk): measured 98 bytes a node for the bench corpus's
 * files and 125 for a file of tables; text length is a poorer guide (21 and
 * 52 bytes a character).
 */
export const TREE_BYTES_PER_NODE = 128;

/** Estimated native bytes of dropped trees allowed to wait for a collection. */
export const DEFAULT_TREE_BYTES_BOUND = 64 * 1024 * 1024;

let pending = 0;
let bound = DEFAULT_TREE_BYTES_BOUND;
let releases = 0;

/** Counts a tree of `nodes` nodes that was just made. */
export function noteTree(nodes: number): void {
  pending += nodes * TREE_BYTES_PER_NODE;
}

/** Estimated native bytes of trees made since the last release (live or waiting for a collection). */
export function treeBytesPending(): number {
  return pending;
}

/** How many releases ran in this thread (each a full collection). */
export function treeReleases(): number {
  return releases;
}

/** Sets this thread's bound (bytes; at least 1 MiB); returns the one before. */
export function setTreeBytesBound(bytes: number): number {
  const before = bound;
  bound = Math.max(1024 * 1024, Math.floor(bytes));
  return before;
}

let collector: (() => void) | null | undefined;

/**
 * A full collection, without starting Node with `--expose-gc`: the flag set
 * now exposes `gc` in a new context. Null when the runtime refuses.
 */
function fullCollection(): (() => void) | null {
  if (collector !== undefined) return collector;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') {
    collector = () => {
      (exposed as () => void)();
    };
    return collector;
  }
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collector =
      typeof gc === 'function'
        ? () => {
            (gc as () => void)();
          }
        : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * Frees the trees no longer used, when more than the bound (or, with
 * `force`, anything) is pending: a full collection, then one turn of the
 * event loop, where Node runs the trees' finalizers. Returns whether it ran.
 */
export async function releaseTrees(force = false): Promise<boolean> {
  if (pending === 0 || (!force && pending <= bound)) return false;
  pending = 0;
  releases++;
  fullCollection()?.();
  await new Promise<void>((resolve) => setImmediate(resolve));
  return true;
}
