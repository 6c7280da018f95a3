/** `npm run eval`: binds the evaluation to the real process. */
import { runEval } from './run.js';

process.exitCode = await runEval(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  // npm run moves to the package root; INIT_CWD is where the user typed the command.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
