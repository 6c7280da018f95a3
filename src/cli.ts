/**
 * The `ndis-review` command line. `main` takes its inputs and outputs as
 * parameters and returns the exit code, so tests drive it like a function;
 * `bin/ndis-review.js` binds it to the real process.
 */

import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, RuleMeta, ScanResult } from './engine/types.js';
import type { FactCache } from './engine/cache.js';
import { formatJson } from './report/json.js';
import { severityRank } from './report/order.js';
import { formatSarif } from './report/sarif.js';
import { formatText } from './report/text.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard output is a terminal: text reports are coloured (unless NO_COLOR is set). */
  isTTY?: boolean;
}

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_TROUBLE = 2;

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'never'] as const;
type Format = (typeof FORMATS)[number];
type FailOn = (typeof FAIL_ON)[number];

/** The least severe rank that fails the run; `never` ranks above every severity. */
const FAIL_ON_RANK: Record<FailOn, number> = { error: 0, warning: 1, never: -1 };

interface ScanCommand {
  kind: 'scan';
  dir: string;
  format: Format;
  failOn: FailOn;
  output: string | undefined;
  noCache: boolean;
  stats: boolean;
}

type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'rules' } | ScanCommand;

/** A mistake of the user's: reported as one line, without a stack trace. */
class UserError extends Error {}

/** A mistake in the command line: also points at --help. */
class UsageError extends UserError {}

const USAGE = `Usage: ndis-review scan [DIR] [options]
       ndis-review rules
       ndis-review --help | --version

Reviews Windows NDIS driver C sources for NdisMMapIoSpace context and unmap
duties, without a build.

Commands:
  scan [DIR]           scan the C sources under DIR (default: .)
  rules                list the rules: id, severity, title, documentation

Options for scan:
  --format FORMAT      text (default), json or sarif
  --fail-on LEVEL      exit 1 when a finding is at or above LEVEL:
                       error (default), warning or never
  -o, --output FILE    write the report to FILE instead of standard output
  --no-cache           neither read nor write the fact cache
  --stats              print counts and timings as one JSON line on standard error

Environment:
  NDIS_REVIEW_CACHE=off  disable the fact cache
  NO_COLOR               plain text output on a terminal

Exit status: 0 no finding at or above --fail-on, 1 some, 2 usage error,
unreadable path or internal error.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(parseCommandLine(argv), io);
  } catch (error) {
    reportFailure(error, io);
    return EXIT_TROUBLE;
  }
}

async function run(command: Command, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.stdout(USAGE);
      return EXIT_OK;
    case 'version':
      io.stdout(`${await packageVersion()}\n`);
      return EXIT_OK;
    case 'rules':
      return listRules(io);
    case 'scan':
      return runScan(command, io);
  }
}

function reportFailure(error: unknown, io: CliIo): void {
  if (error instanceof UsageError) {
    io.stderr(`ndis-review: ${error.message}\nRun 'ndis-review --help' for usage.\n`);
  } else if (error instanceof UserError) {
    io.stderr(`ndis-review: ${error.message}\n`);
  } else {
    // A bug of ours: the stack is what a bug report needs.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`ndis-review: internal error: ${detail}\n`);
  }
}

// ---------------------------------------------------------------- arguments

/** Long option names, and whether each takes a value. */
const OPTIONS = new Map<string, boolean>([
  ['format', true],
  ['fail-on', true],
  ['output', true],
  ['no-cache', false],
  ['stats', false],
  ['help', false],
  ['version', false],
]);

const SHORT_OPTIONS = new Map<string, string>([
  ['h', 'help'],
  ['o', 'output'],
]);

interface SplitArgs {
  positionals: string[];
  /** Option name to its value (`true` for a flag). */
  options: Map<string, string | true>;
}

function parseCommandLine(argv: string[]): Command {
  const { positionals, options } = splitArgs(argv);
  if (options.has('help')) return { kind: 'help' };
  if (options.has('version')) return { kind: 'version' };
  const [command, ...operands] = positionals;
  switch (command) {
    case undefined:
      throw new UsageError('missing command');
    case 'help':
      return { kind: 'help' };
    case 'rules':
      rejectOperands(operands);
      rejectOptions(options, 'rules');
      return { kind: 'rules' };
    case 'scan':
      return scanCommand(operands, options);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** Accepts `--name value`, `--name=value`, `-o value`, and `--` before operands that start with `-`. */
function splitArgs(argv: string[]): SplitArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const { name, inlineValue } = optionParts(arg);
    const takesValue = OPTIONS.get(name);
    if (takesValue === undefined) throw new UsageError(`unknown option '${arg}'`);
    if (!takesValue) {
      if (inlineValue !== undefined) throw new UsageError(`option --${name} takes no value`);
      options.set(name, true);
      continue;
    }
    const value = inlineValue ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    options.set(name, value);
  }
  return { positionals, options };
}

function optionParts(arg: string): { name: string; inlineValue: string | undefined } {
  if (!arg.startsWith('--')) return { name: SHORT_OPTIONS.get(arg.slice(1)) ?? arg, inlineValue: undefined };
  const equals = arg.indexOf('=');
  if (equals < 0) return { name: arg.slice(2), inlineValue: undefined };
  return { name: arg.slice(2, equals), inlineValue: arg.slice(equals + 1) };
}

function scanCommand(operands: string[], options: Map<string, string | true>): ScanCommand {
  if (operands.length > 1) throw new UsageError(`unexpected argument '${operands[1]}' (scan takes one directory)`);
  return {
    kind: 'scan',
    dir: operands[0] ?? '.',
    format: oneOf(stringOption(options, 'format') ?? 'text', FORMATS, '--format'),
    failOn: oneOf(stringOption(options, 'fail-on') ?? 'error', FAIL_ON, '--fail-on'),
    output: stringOption(options, 'output'),
    noCache: options.has('no-cache'),
    stats: options.has('stats'),
  };
}

function stringOption(options: Map<string, string | true>, name: string): string | undefined {
  const value = options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new UsageError(`invalid ${option} '${value}' (expected ${allowed.join(', ')})`);
  }
  return match;
}

function rejectOperands(operands: string[]): void {
  if (operands.length > 0) throw new UsageError(`unexpected argument '${operands[0]}'`);
}

function rejectOptions(options: Map<string, string | true>, command: string): void {
  const [name] = options.keys();
  if (name !== undefined) throw new UsageError(`option --${name} does not apply to ${command}`);
}

// ---------------------------------------------------------------- scan

async function runScan(command: ScanCommand, io: CliIo): Promise<number> {
  // The engine is loaded only here, so --help and --version start without loading the parser.
  const { cacheFromEnv } = await import('./engine/cache.js');
  const cache = command.noCache ? null : cacheFromEnv(io.env);
  const result = await scanDirectory(path.resolve(io.cwd, command.dir), cache);
  await saveCache(cache, io);
  await writeReport(await formatReport(result, command, io), command.output, io);
  if (command.stats) io.stderr(statsLine(result) + '\n');
  return failsThreshold(result.findings, command.failOn) ? EXIT_FINDINGS : EXIT_OK;
}

async function scanDirectory(root: string, cache: FactCache | null): Promise<ScanResult> {
  const { scan, ScanError } = await import('./engine/scan.js');
  try {
    return await scan({ root, cache });
  } catch (error) {
    if (error instanceof ScanError) throw new UserError(error.message);
    throw error;
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

async function formatReport(result: ScanResult, command: ScanCommand, io: CliIo): Promise<string> {
  switch (command.format) {
    case 'text':
      return formatText(result, { color: wantsColor(command, io) });
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result, { rulesText: await readRuleDocs(result.rules) });
  }
}

/** Colour only for a person at a terminal, and never when NO_COLOR asks for none (no-color.org). */
function wantsColor(command: ScanCommand, io: CliIo): boolean {
  return command.output === undefined && io.isTTY === true && !io.env.NO_COLOR;
}

async function writeReport(report: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output === undefined) {
    io.stdout(report);
    return;
  }
  const file = path.resolve(io.cwd, output);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, report);
  } catch (error) {
    throw new UserError(`cannot write '${output}': ${errorMessage(error)}`);
  }
}

function statsLine(result: ScanResult): string {
  return JSON.stringify({ ...result.stats, maxRssKiB: peakRssKiB() });
}

function failsThreshold(findings: Finding[], failOn: FailOn): boolean {
  return findings.some((finding) => severityRank(finding.severity) <= FAIL_ON_RANK[failOn]);
}

// ---------------------------------------------------------------- rules and package files

async function listRules(io: CliIo): Promise<number> {
  const { loadRulePack } = await import('./engine/rulepack.js');
  const pack = loadRulePack();
  io.stdout(formatRuleList(pack.rules));
  return EXIT_OK;
}

/** One rule a line, in aligned columns: id, severity, title, documentation path. */
function formatRuleList(rules: RuleMeta[]): string {
  const idWidth = Math.max(0, ...rules.map((rule) => rule.id.length));
  const titleWidth = Math.max(0, ...rules.map((rule) => rule.title.length));
  return rules
    .map((rule) =>
      [rule.id.padEnd(idWidth), rule.severity.padEnd('warning'.length), rule.title.padEnd(titleWidth), rule.docs].join(
        '  ',
      ),
    )
    .map((line) => line + '\n')
    .join('');
}

/** The rule pages by rule id; a rule without a readable page is left out (its SARIF help then names the path). */
async function readRuleDocs(rules: RuleMeta[]): Promise<Record<string, string>> {
  const root = packageRoot();
  const pages = await Promise.all(
    rules.map(async (rule) => [rule.id, await readIfPresent(path.join(root, rule.docs))] as const),
  );
  const docs: Record<string, string> = {};
  for (const [id, text] of pages) if (text !== undefined) docs[id] = text;
  return docs;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** This file runs as `dist/src/cli.js`, two levels below the package root. */
function packageRoot(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

async function packageVersion(): Promise<string> {
  const manifest: unknown = JSON.parse(await fs.readFile(path.join(packageRoot(), 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
