/**
 * `ndis-review scan`: the configuration, the scan, the review layer
 * (suppressions, paths, a baseline), the reports, the exit status.
 */
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
// The engine's modules one by one rather than through `src/index.ts` (which re-exports every
// reporter): each reporter is loaded only when its format is asked for, so a warm run loads no
// more than it prints.
import { cacheDirFromEnv, cacheFromEnv, type FactCache } from '../engine/cache.js';
import { loadRulePack, readRuleDocs, ruleDocsUrl } from '../engine/rulepack.js';
import { scan, ScanError } from '../engine/scan.js';
import type { Finding, ScanResult } from '../engine/types.js';
import { severityRank } from '../report/order.js';
import type { ReviewConfig } from '../review/config.js';
import { againstBaseline, reviewScan, type Report } from '../review/report.js';
import { rulesOn } from '../review/rule-config.js';
import { parseBaseline, BaselineError, type Baseline } from '../review/baseline.js';
import type { FailOn, ScanCommand } from './args.js';
import { loadScanConfig } from './config.js';
import { errorMessage, UserError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { prepareOutput, writeOutput } from './output.js';
import { pathInRepository, repositoryTop } from './repository.js';

/** The least severe rank that fails the run; `never` ranks above every severity. */
const FAIL_ON_RANK: Record<FailOn, number> = { error: 0, warning: 1, never: -1 };

/** The scan target as given and resolved: a folder, or one C file and the folder it is in. */
interface Target {
  /** Absolute path handed to the engine. */
  root: string;
  /** The folder findings' paths are relative to, absolute. */
  folder: string;
  /** That folder as the user gave it (for paths printed like gcc's). */
  folderAsGiven: string;
  isFile: boolean;
}

export async function runScan(command: ScanCommand, io: CliIo): Promise<number> {
  const target = await resolveTarget(command.dir, io.cwd);
  const cacheDir = command.noCache ? null : cacheDirFromEnv(io.env);
  const config = await loadScanConfig(target.isFile ? undefined : target.folder, command.config, io, cacheDir);
  const failOn = command.failOn ?? config.conclusion.failOn;
  // Fail before the work, not after it.
  const output = command.output === undefined ? undefined : await prepareOutput(io.cwd, command.output);
  const sarif = command.sarif === undefined ? undefined : await prepareOutput(io.cwd, command.sarif);
  const baseline = command.baseline === undefined ? undefined : await readBaseline(command.baseline, io);

  // One cache file per repository: a run reads and writes only its own.
  // Walks are kept in memory only for the scan of `--new-since`'s base, which reads mostly the same
  // code, moved by the change: a single scan would never ask for them.
  const walks = command.newSince !== undefined;
  const cache = command.noCache ? null : cacheFromEnv(io.env, repositoryTop(target.folder), { walks });
  const result = await scanRoot(target.root, cache, parseWorkers(io.env), rulesOn(config.rules), command.apiCounts);
  let report = reviewScan(result, config);
  if (baseline !== undefined) report = againstBaseline(report, baseline.fingerprints, baseline.notices);
  if (command.newSince !== undefined) {
    const base = await newSinceBaseline(target, command.newSince, config, cache);
    report = againstBaseline(report, base);
  }
  await saveCache(cache, io);

  const top = repositoryTop(target.folder);
  const sarifPlace = { repositoryRoot: top, repositoryPath: pathInRepository(top, target.folder) };
  const main = await formatReport(report, command, target, io, sarifPlace);
  if (output === undefined) io.stdout(main);
  else await writeOutput(output, command.output ?? '', main);
  if (sarif !== undefined) {
    await writeOutput(sarif, command.sarif ?? '', await sarifText(report, { ...sarifPlace, suppressed: 'omit' }));
  }
  if (command.stats) io.stderr(statsLine(result) + '\n');
  if (failsThreshold(report.findings, failOn)) return EXIT.findings;
  return report.complete ? EXIT.ok : EXIT.incomplete;
}

async function resolveTarget(given: string, cwd: string): Promise<Target> {
  const root = path.resolve(cwd, given);
  let isFile = false;
  try {
    isFile = !(await fs.stat(root)).isDirectory();
  } catch {
    // The engine words a missing path for the user.
  }
  return isFile
    ? { root, folder: path.dirname(root), folderAsGiven: path.dirname(given), isFile }
    : { root, folder: root, folderAsGiven: given, isFile };
}

/**
 * NDIS_REVIEW_WORKERS: parse threads beside the main one (0: one thread); unset, the engine
 * chooses by the amount of work and the cores (none on two). The bench sets it to compare one
 * thread with the pool.
 */
function parseWorkers(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.NDIS_REVIEW_WORKERS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 64)
    throw new UserError(`NDIS_REVIEW_WORKERS must be a whole number from 0 to 64, not '${v}'`);
  return n;
}

async function scanRoot(
  root: string,
  cache: FactCache | null,
  workers?: number,
  enable: readonly string[] = [],
  countApis = false,
): Promise<ScanResult> {
  try {
    return await scan({ root, cache, workers, enable, countApis });
  } catch (error) {
    if (error instanceof ScanError) throw new UserError(error.message);
    throw error;
  }
}

async function readBaseline(given: string, io: CliIo): Promise<Baseline> {
  let text: string;
  try {
    text = await fs.readFile(path.resolve(io.cwd, given), 'utf8');
  } catch (error) {
    throw new UserError(`cannot read --baseline '${given}': ${errorMessage(error)}`);
  }
  try {
    return parseBaseline(text, given);
  } catch (error) {
    if (error instanceof BaselineError) throw new UserError(`--baseline: ${error.message}`);
    throw error;
  }
}

/** The fingerprints of the merge base's report, scanned with the same configuration. */
async function newSinceBaseline(
  target: Target,
  rev: string,
  config: ReviewConfig,
  cache: FactCache | null,
): Promise<Set<string>> {
  const { checkoutMergeBase } = await import('./git.js');
  const checkout = await checkoutMergeBase(target.folder, rev);
  try {
    const root = target.isFile ? path.join(checkout.dir, path.basename(target.root)) : checkout.dir;
    // A folder or file the merge base does not have yet: everything in it is new.
    if (!(await exists(root))) return new Set();
    const base = reviewScan(await scanRoot(root, cache, undefined, rulesOn(config.rules)), config);
    return new Set([...base.findings, ...(base.suppressed ?? []).map((s) => s.finding)].map((f) => f.fingerprint));
  } finally {
    await checkout.dispose();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** A cache that cannot be written (a read-only checkout) costs speed next time, not this run's result. */
async function saveCache(cache: FactCache | null, io: CliIo): Promise<void> {
  try {
    await cache?.save();
  } catch (error) {
    io.stderr(`ndis-review: warning: could not save the cache: ${errorMessage(error)}\n`);
  }
}

interface SarifPlace {
  repositoryRoot: string;
  repositoryPath: string;
}

// Each reporter is loaded only when its format is asked for: a warm run loads no more than it prints.
async function formatReport(
  report: Report,
  command: ScanCommand,
  target: Target,
  io: CliIo,
  place: SarifPlace,
): Promise<string> {
  const docsUrl = (f: Finding) => ruleDocsUrl(f.docs);
  switch (command.format) {
    case 'text': {
      const { formatText } = await import('../report/text.js');
      return formatText(report, {
        color: wantsColor(command, io),
        // As given on the command line, like gcc: clickable from where the command ran.
        displayPath: (p) => path.join(target.folderAsGiven, p),
        docsUrl,
      });
    }
    case 'json': {
      const { formatJson } = await import('../report/json.js');
      return formatJson(report, { docsUrl });
    }
    case 'sarif':
      return sarifText(report, { ...place, suppressed: 'mark' });
  }
}

async function sarifText(report: Report, opts: SarifPlace & { suppressed: 'mark' | 'omit' }): Promise<string> {
  const { formatSarif } = await import('../report/sarif.js');
  const pack = loadRulePack();
  return formatSarif(report, {
    ...opts,
    rulesText: readRuleDocs(report.rules),
    docsUrl: (rule) => ruleDocsUrl(rule.docs, pack),
  });
}

/** Colour only for a person at a terminal, and never when NO_COLOR asks for none (no-color.org). */
function wantsColor(command: ScanCommand, io: CliIo): boolean {
  return command.output === undefined && io.isTTY === true && !io.env.NO_COLOR;
}

function statsLine(result: ScanResult): string {
  return JSON.stringify({ ...result.stats, maxRssKiB: peakRssKiB() });
}

function failsThreshold(findings: readonly Finding[], failOn: FailOn): boolean {
  return findings.some((finding) => severityRank(finding.severity) <= FAIL_ON_RANK[failOn]);
}

/**
 * This process's peak resident memory in KiB. On Linux `VmHWM` is used:
 * `getrusage` keeps the parent's high-water mark across fork and exec, so a
 * process spawned by a large parent would report the parent's peak.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS;
}
