/**
 * A pool thread that never finishes a scan whose root is `spin` (it holds
 * its thread, as a pathological analysis would) and scans anything else as
 * the real thread does: for testing the pool's time limit whatever the
 * engine's speed.
 */
import realWorker from '../../src/app/scan-worker.js';
import type { ScanOutcome, ScanTask } from '../../src/app/scan-worker.js';

export default function scanOrSpin(task: ScanTask): ScanOutcome | Promise<ScanOutcome> {
  if (task.root === 'spin') for (;;) Math.sqrt(Math.random());
  return realWorker(task);
}
