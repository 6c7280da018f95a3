/**
 * Stopping a scan between native calls. The app stops an analysis past its time limit; ending its
 * thread while tree-sitter is calling back into JavaScript for text aborts the whole process (the
 * binding throws a C++ exception nothing catches: reproduced by stopping real-driver scans at random
 * times). So the host asks first (`stopWhen`), and the engine checks at points where no native call
 * is in progress (before each parse, each file's lexing, every 1,024 steps of a path walk) and ends
 * the scan there with `ScanStopped`; the host ends the thread only if the scan does not stop soon.
 */

/** The scan ended early because its host asked (see `stopWhen`); `reason` is the host's. */
export class ScanStopped extends Error {
  constructor(readonly reason: string) {
    super(`the scan was stopped: ${reason}`);
    this.name = 'ScanStopped';
  }
}

let asked: (() => string | undefined) | undefined;

/** Installs the host's question (a reason to stop, or undefined to go on), or removes it. */
export function stopWhen(ask: (() => string | undefined) | undefined): void {
  asked = ask;
}

/** Throws `ScanStopped` when the host asks the scan to stop. */
export function stopIfAsked(): void {
  const reason = asked?.();
  if (reason !== undefined) throw new ScanStopped(reason);
}
