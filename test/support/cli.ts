/** Runs the command line's `main` in process, with captured output. */
import { main, type CliIo } from '../../src/cli.js';
import { repoRoot } from './paths.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The cache is off unless a test says otherwise, so cases stay clean. */
export async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { NDIS_REVIEW_CACHE: 'off' },
    cwd: repoRoot,
    ...io,
  });
  return { code, stdout, stderr };
}
