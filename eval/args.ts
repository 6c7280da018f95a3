/** The command line of `npm run eval`. */

export interface EvalArgs {
  corpus: string | undefined;
  labels: string | undefined;
  manifest: string | undefined;
  json: string | undefined;
  compare: string | undefined;
  cli: string | undefined;
  config: string | undefined;
  only: string[] | undefined;
  /** Only these mutation operators (undefined: all). */
  operators: string[] | undefined;
  /** Per operator and driver; 0 runs no mutation. */
  mutants: number | 'all';
  seed: number;
  concurrency: number | undefined;
  help: boolean;
}

export class ArgsError extends Error {}

export const USAGE = `Usage: npm run eval -- [CORPUS_DIR] [options]

Scans every driver of the manifest that has a label with the ndis-review CLI,
compares its findings with the label, and runs the mutation generator on it.

  CORPUS_DIR         the materialized corpus (default: ../corpus next to the repository)
  --labels DIR       label files <driver id>.json (default: eval/labels)
  --manifest FILE    the corpus manifest (default: eval/corpus.json)
  --json OUT         where the figures are written (default: eval/results.json)
  --compare FILE     print every figure that dropped against an earlier results file; exit 1 if any
  --cli PATH         the CLI to evaluate (default: this repository's bin/ndis-review.js)
  --config FILE      the configuration every scan uses (default: eval/ndis-review.yml, every rule on)
  --only ID,...      only these drivers
  --operators OP,... only these mutation operators (default: all)
  --mutants N|all    mutants per operator and driver: a seeded sample of N, or all (default); 0: none
  --seed S           seed of the sample (default: 1)
  --jobs N           scans at a time (default: the number of CPUs)
`;

const VALUED = new Set([
  'labels',
  'manifest',
  'json',
  'compare',
  'cli',
  'config',
  'only',
  'operators',
  'mutants',
  'seed',
  'jobs',
]);

function integer(option: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new ArgsError(`--${option} needs an integer >= ${String(min)}, not '${value}'`);
  return Number(value);
}

export function parseArgs(argv: readonly string[]): EvalArgs {
  const args: EvalArgs = {
    corpus: undefined,
    labels: undefined,
    manifest: undefined,
    json: undefined,
    compare: undefined,
    cli: undefined,
    config: undefined,
    only: undefined,
    operators: undefined,
    mutants: 'all',
    seed: 1,
    concurrency: undefined,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (args.corpus !== undefined) throw new ArgsError(`unexpected argument '${arg}' (one corpus directory)`);
      args.corpus = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUED.has(name)) throw new ArgsError(`unknown option '${arg}'`);
    const value = eq < 0 ? (argv[++i] as string | undefined) : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new ArgsError(`option --${name} needs a value`);
    switch (name) {
      case 'operators':
        args.operators = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case 'only':
        args.only = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case 'mutants':
        args.mutants = value === 'all' ? 'all' : integer(name, value, 0);
        break;
      case 'seed':
        args.seed = integer(name, value, 0);
        break;
      case 'jobs':
        args.concurrency = integer(name, value, 1);
        break;
      case 'labels':
      case 'manifest':
      case 'json':
      case 'compare':
      case 'cli':
      case 'config':
        args[name] = value;
        break;
    }
  }
  return args;
}
