/**
 * Numeric command-line options of the benches (`--prs 8`): the value after
 * the flag, or the default when the flag is absent. A value that is not a
 * number stops the bench with a message naming the flag, instead of a
 * round sized NaN.
 */
export function numberOption(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const raw = argv.at(i + 1);
  const n = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(n)) {
    process.stderr.write(`--${name} needs a number (got ${raw ?? 'nothing'})\n`);
    process.exit(2);
  }
  return n;
}
