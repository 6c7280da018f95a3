/**
 * `ndis-review scan --watch DIR`: one full report, then a re-scan after every
 * save that prints only what changed (findings new since the last scan,
 * findings gone), as an editor's problem matcher reads them. Facts stay in
 * memory between scans, so a save re-reads one file and re-walks only the
 * initialize analyses that can read it.
 *
 * A saved file is not parsed again where its edit kept every token (a
 * comment, blank lines, spacing): its earlier facts move to where the tokens
 * are now (`movedfacts.ts`), and so do the bodies and the path analyses that
 * read only unchanged tokens. Where tokens changed, the file's parse leaves
 * out its function bodies and reads a body only when a rule asks for it
 * (each unchanged one is moved from the earlier version instead), so
 * tree-sitter's incremental reparse (`tree.edit`, `parse(new, old)`) would
 * save only the skeleton parse of one file: keeping every file's old tree in
 * memory for that is not worth it.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../engine/types.js';
import type { Report, ReportNotice } from '../review/report.js';
import type { ScanCommand } from './args.js';
import { loadScanConfig } from './config.js';
import { UserError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { plural } from '../util/words.js';

export interface WatchOptions {
  /** Stops watching (the CLI aborts on SIGINT/SIGTERM); the promise then resolves. */
  signal?: AbortSignal;
  /** Quiet time after the last change before re-scanning. */
  debounceMs?: number;
  /** Called after each scan with its number (0: the first); tests wait on it. */
  onScan?: (n: number) => void;
}

const findingKey = (f: Finding) => `${f.fingerprint} ${f.rule}`;
const noticeKey = (n: ReportNotice) => `${n.kind} ${n.path ?? ''}:${String(n.line ?? '')} ${n.message}`;

export async function runWatch(command: ScanCommand, io: CliIo, opts: WatchOptions = {}): Promise<number> {
  const root = path.resolve(io.cwd, command.dir);
  const { FactCache, scan, ScanError } = await import('../engine/scan.js');
  const { reviewScan } = await import('../review/report.js');
  const { rulesOn } = await import('../review/rule-config.js');
  const { formatText } = await import('../report/text.js');
  const { ruleDocsUrl } = await import('../engine/rulepack.js');
  const { isSourcePath } = await import('../engine/sources.js');
  const cache = new FactCache();
  const display = (p: string) => path.join(command.dir, p);
  const docsUrl = (f: Finding) => ruleDocsUrl(f.docs);

  const scanOnce = async (): Promise<Report> => {
    // The configuration is read again on every scan: saving it is a change like any other.
    const config = await loadScanConfig(root, command.config, io);
    try {
      return reviewScan(await scan({ root, cache, enable: rulesOn(config.rules) }), config);
    } catch (error) {
      if (error instanceof ScanError) throw new UserError(error.message);
      throw error;
    }
  };

  let last = await scanOnce();
  io.stdout(formatText(last, { displayPath: display, docsUrl }));
  io.stdout(`watching ${command.dir} for changes (Ctrl-C stops)\n`);
  let count = 0;
  opts.onScan?.(count);

  const rescan = async () => {
    const next = await scanOnce();
    const before = new Map(last.findings.map((f) => [findingKey(f), f]));
    const after = new Map(next.findings.map((f) => [findingKey(f), f]));
    const added = next.findings.filter((f) => !before.has(findingKey(f)));
    const gone = last.findings.filter((f) => !after.has(findingKey(f)));
    const oldNotices = new Set(last.notices.map(noticeKey));
    const newNotices = next.notices.filter((n) => !oldNotices.has(noticeKey(n)));
    const stamp = new Date().toISOString().slice(11, 19);
    if (added.length === 0 && gone.length === 0 && newNotices.length === 0) {
      io.stdout(`[${stamp}] no change: ${plural(next.findings.length, 'finding')}\n`);
    } else {
      const text = formatText({ ...next, findings: added, notices: newNotices }, { displayPath: display, docsUrl });
      // The summary line of a partial report would miscount: each scan ends with its own.
      const body = text.trimEnd().split('\n').slice(0, -1);
      io.stdout(`[${stamp}] ${String(added.length)} new, ${String(gone.length)} fixed\n`);
      if (body.length) io.stdout(body.join('\n') + '\n');
      for (const f of gone)
        io.stdout(`${display(f.path)}:${String(f.line)}:${String(f.column)}: fixed: ${f.message} [${f.rule}]\n`);
      io.stdout(`now ${plural(next.findings.length, 'finding')}${next.complete ? '' : '; incomplete'}\n`);
    }
    last = next;
    opts.onScan?.(++count);
  };

  // Saves come in bursts (editors write a temporary file, then rename): one scan per burst,
  // never two at once; a change during a scan schedules one more.
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  const run = async () => {
    running = true;
    try {
      await rescan();
    } catch (error) {
      io.stderr(`ndis-review: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      running = false;
    }
    if (pending) {
      pending = false;
      schedule();
    }
  };
  const schedule = () => {
    if (running) {
      pending = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void run(), opts.debounceMs ?? 150);
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(root, { recursive: true }, (_event, name) => {
      if (name === null) schedule();
      else if (isSourcePath(name) || name.endsWith('ndis-review.yml')) schedule();
    });
  } catch (error) {
    throw new UserError(`cannot watch ${command.dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener('abort', stop, { once: true });
  });
  return EXIT.ok;
}
