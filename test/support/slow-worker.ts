/**
 * A pool thread that never finishes a scan whose root is `spin` (it holds
 * its thread, as a pathological analysis would) and scans anything else as
 * the real thread does: for testing the pool's time limit whatever the
 * engine's speed. A scan whose root is `nice` answers with this thread's
 * nice value as its only notice's message, one whose root is `thread` with
 * the thread's id (a thread the pool ended is replaced by one of a new id).
 */
import { getPriority } from 'node:os';
import { threadId } from 'node:worker_threads';
import realWorker from '../../src/app/scan-worker.js';
import type { ScanOutcome, ScanTask } from '../../src/app/scan-worker.js';

export default function scanOrSpin(task: ScanTask): ScanOutcome | Promise<ScanOutcome> {
  if (task.root === 'spin') for (;;) Math.sqrt(Math.random());
  if (task.root === 'nice' || task.root === 'thread') {
    // Linux: the calling thread's own nice value (threads are scheduled one by one).
    const message = String(task.root === 'nice' ? getPriority(0) : threadId);
    return { result: { notices: [{ kind: 'skipped-file', message }] } as unknown as ScanOutcome['result'], fresh: [] };
  }
  return realWorker(task);
}
