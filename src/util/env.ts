/**
 * An environment variable's value, with an empty one read as unset (as a
 * shell's `NAME=` means): `envValue(env, 'X') ?? fallback` keeps the old
 * `env.X || fallback`, which mapped '' to the fallback on purpose.
 */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}
