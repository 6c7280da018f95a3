/**
 * Runs the ndis-review CLI on a folder as a separate process, as a user
 * would, and reads its JSON report (stdout) and its `--stats` line (stderr).
 * A separate process keeps the evaluation honest: nothing is shared with the
 * engine in memory, and the CLI measured is exactly the one shipped.
 */

import { spawn } from 'node:child_process';

export interface ScanFinding {
  rule: string;
  path: string;
  line: number;
  message: string;
}

export interface ScanNotice {
  kind: string;
  message: string;
  path?: string;
  line?: number;
  withheld?: boolean;
}

export interface ScanHealth {
  parsedFiles: number;
  damagedFiles: number;
  functions: number;
  damagedFunctions: { name: string; path: string; line: number }[];
}

export interface ScanOutput {
  findings: ScanFinding[];
  notices: ScanNotice[];
  complete: boolean;
  incomplete: ScanNotice[];
  health: ScanHealth;
  apiCalls: Record<string, { direct: number; viaMacro: number }>;
  /** The lock rule's callback walks (`--stats` `lockWalks`); absent from a CLI that does not count them. */
  lockWalks?: { callbacks: number; notFollowed: number };
  /** Wall time of the whole process, start-up included. */
  wallMs: number;
}

export class ScanFailed extends Error {}

export interface ScanOptions {
  /** The CLI entry (`bin/ndis-review.js`), run with this Node. */
  cli: string;
  /** Stop the scan after this long (a hang is a result too, not a stuck evaluation). */
  timeoutMs?: number;
  /** A configuration file passed as `--config` (the evaluation's turns the preview rules on). */
  config?: string;
}

export async function scanFolder(dir: string, options: ScanOptions): Promise<ScanOutput> {
  const args = [
    options.cli,
    'scan',
    dir,
    '--format',
    'json',
    '--no-cache',
    '--stats',
    '--api-counts',
    '--fail-on',
    'never',
  ];
  if (options.config !== undefined) args.push('--config', options.config);
  const started = performance.now();
  const { code, stdout, stderr } = await run(process.execPath, args, options.timeoutMs ?? 300_000);
  const wallMs = performance.now() - started;
  // 3: the report is complete as written but withholds some decisions (`incomplete` in it says which).
  if (code !== 0 && code !== 3)
    throw new ScanFailed(`ndis-review exited ${String(code)} on ${dir}: ${lastLines(stderr)}`);
  return parseScanOutput(stdout, stderr, wallMs);
}

/** Reads the CLI's two outputs; exported so the parsing is tested without a process. */
export function parseScanOutput(stdout: string, stderr: string, wallMs: number): ScanOutput {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new ScanFailed(`the report on stdout is not JSON: ${stdout.slice(0, 200)}`);
  }
  const stats = statsLine(stderr);
  if (!Array.isArray(report.findings) || !Array.isArray(report.notices)) {
    throw new ScanFailed('the report has no findings or notices');
  }
  return {
    findings: (report.findings as ScanFinding[]).map((f) => ({
      rule: f.rule,
      path: f.path,
      line: f.line,
      message: f.message,
    })),
    notices: report.notices as ScanNotice[],
    complete: report.complete !== false,
    incomplete: Array.isArray(report.incomplete) ? (report.incomplete as ScanNotice[]) : [],
    health: stats.health,
    apiCalls: stats.apiCalls,
    ...(stats.lockWalks ? { lockWalks: stats.lockWalks } : {}),
    wallMs,
  };
}

/** The last stderr line that is a JSON object with `health`: warnings may come before it. */
function statsLine(stderr: string): Pick<ScanOutput, 'health' | 'apiCalls' | 'lockWalks'> {
  const lines = stderr.split('\n').filter((l) => l.trim().startsWith('{'));
  for (const line of lines.reverse()) {
    try {
      const value = JSON.parse(line) as Partial<Pick<ScanOutput, 'health' | 'apiCalls' | 'lockWalks'>>;
      if (value.health && value.apiCalls)
        return {
          health: value.health,
          apiCalls: value.apiCalls,
          ...(value.lockWalks ? { lockWalks: value.lockWalks } : {}),
        };
    } catch {
      // Not the stats line.
    }
  }
  throw new ScanFailed(`no --stats line with health and apiCalls on stderr: ${lastLines(stderr)}`);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : '');
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}
