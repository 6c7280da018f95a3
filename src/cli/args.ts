/**
 * The command line as data: `node:util`'s `parseArgs` splits it, this
 * module checks it against each command and words every mistake as one
 * line. Pure: no I/O.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type Format = (typeof FORMATS)[number];
export type FailOn = (typeof FAIL_ON)[number];

export interface ScanCommand {
  kind: 'scan';
  /** The folder (or one C file) as given. */
  dir: string;
  format: Format;
  /** Undefined: the configuration's `conclusion.failOn`, else `error`. */
  failOn: FailOn | undefined;
  output: string | undefined;
  /** Also write SARIF for code scanning here (never filtered by a baseline; suppressed findings left out). */
  sarif: string | undefined;
  config: string | undefined;
  baseline: string | undefined;
  newSince: string | undefined;
  noCache: boolean;
  stats: boolean;
  /** With `stats`: count each API's call sites (`apiCalls`), as the evaluation reads them. */
  apiCounts: boolean;
  /** Keep running: re-scan on every save and print only what changed. */
  watch: boolean;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'rules' }
  | { kind: 'explain'; rule: string }
  | { kind: 'config-check'; file: string | undefined }
  | ScanCommand;

/** Every option of every command; which command takes which is checked after parsing. */
const OPTIONS = {
  format: { type: 'string' },
  'fail-on': { type: 'string' },
  output: { type: 'string', short: 'o' },
  sarif: { type: 'string' },
  config: { type: 'string' },
  baseline: { type: 'string' },
  'new-since': { type: 'string' },
  'no-cache': { type: 'boolean' },
  stats: { type: 'boolean' },
  'api-counts': { type: 'boolean' },
  watch: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = Partial<Record<OptionName, string | boolean>>;

const SCAN_OPTIONS: readonly OptionName[] = [
  'format',
  'fail-on',
  'output',
  'sarif',
  'config',
  'baseline',
  'new-since',
  'no-cache',
  'stats',
  'api-counts',
  'watch',
];

export function parseCommandLine(argv: readonly string[]): Command {
  const { values, positionals } = split(argv);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const command = positionals[0] as string | undefined;
  const operands = positionals.slice(1);
  switch (command) {
    case undefined:
      throw new UsageError('missing command');
    case 'help':
      return { kind: 'help' };
    case 'rules':
      rejectOperands(operands, 0);
      rejectOptions(values, [], 'rules');
      return { kind: 'rules' };
    case 'explain':
      if (operands.length === 0) throw new UsageError('explain needs a rule id (see ndis-review rules)');
      rejectOperands(operands, 1);
      rejectOptions(values, [], 'explain');
      return { kind: 'explain', rule: operands[0] };
    case 'config':
      return configCommand(operands, values);
    case 'scan':
      return scanCommand(operands, values);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function split(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(plainParseError(error));
  }
}

/** `parseArgs`'s messages, shortened to the house style (one line, the option quoted as typed). */
function plainParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  // Node quotes the option as typed (`'--frmat'`), or as declared (`'-o, --output <value>'`).
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = quoted.split(' ')[0].replace(/,$/, '');
  const long = /--[\w-]+/.exec(quoted)?.[0];
  const name = long ?? (option.startsWith('--') ? option : `--${longName(option.slice(1))}`);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `option ${name} takes no value`;
    if (message.includes('ambiguous'))
      return `option ${name} needs a value (write ${name}=VALUE for one starting with -)`;
    return `option ${name} needs a value`;
  }
  return message.split('\n')[0];
}

function longName(short: string): string {
  for (const [name, spec] of Object.entries(OPTIONS)) if ('short' in spec && spec.short === short) return name;
  return short;
}

function configCommand(operands: string[], values: Values): Command {
  const sub = operands[0] as string | undefined;
  const rest = operands.slice(1);
  if (sub !== 'check') {
    throw new UsageError(sub === undefined ? 'config needs a subcommand: check' : `unknown config subcommand '${sub}'`);
  }
  rejectOperands(rest, 1);
  rejectOptions(values, [], 'config check');
  return { kind: 'config-check', file: rest[0] };
}

function scanCommand(operands: string[], values: Values): ScanCommand {
  if (operands.length > 1) throw new UsageError(`unexpected argument '${operands[1]}' (scan takes one directory)`);
  rejectOptions(values, SCAN_OPTIONS, 'scan');
  const text = (name: OptionName): string | undefined => {
    const value = values[name];
    if (value === '') throw new UsageError(`option --${name} needs a value`);
    return typeof value === 'string' ? value : undefined;
  };
  const baseline = text('baseline');
  const newSince = text('new-since');
  if (baseline !== undefined && newSince !== undefined) {
    throw new UsageError('give either --baseline or --new-since, not both');
  }
  const failOn = text('fail-on');
  const watching = values.watch === true;
  if (watching) {
    // A watch prints text as it goes; reports to files and comparisons belong to one-off scans.
    const clash = (['output', 'sarif', 'baseline', 'new-since', 'stats', 'api-counts'] as const).find(
      (n) => values[n] !== undefined,
    );
    if (clash !== undefined) throw new UsageError(`option --${clash} does not apply with --watch`);
    if (values.format !== undefined && values.format !== 'text') throw new UsageError('--watch prints text only');
  }
  if (values['api-counts'] === true && values.stats !== true) throw new UsageError('--api-counts goes with --stats');
  return {
    kind: 'scan',
    dir: operands[0] ?? '.',
    format: oneOf(text('format') ?? 'text', FORMATS, '--format'),
    failOn: failOn === undefined ? undefined : oneOf(failOn, FAIL_ON, '--fail-on'),
    output: text('output'),
    sarif: text('sarif'),
    config: text('config'),
    baseline,
    newSince,
    noCache: values['no-cache'] === true,
    stats: values.stats === true,
    apiCounts: values['api-counts'] === true,
    watch: watching,
  };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new UsageError(`invalid ${option} '${value}' (expected ${allowed.join(', ')})`);
  }
  return match;
}

function rejectOperands(operands: string[], allowed: number): void {
  if (operands.length > allowed) throw new UsageError(`unexpected argument '${operands[allowed]}'`);
}

function rejectOptions(values: Values, allowed: readonly OptionName[], command: string): void {
  const name = (Object.keys(values) as OptionName[]).find((n) => !allowed.includes(n));
  if (name !== undefined) throw new UsageError(`option --${name} does not apply to ${command}`);
}
