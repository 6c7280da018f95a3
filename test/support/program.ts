/** Builds a linked Program from C texts, through the engine's own per-file stages. */
import { lexBytes, parseBytes } from '../../src/engine/filefacts.js';
import { Program, type FnDef } from '../../src/engine/program.js';
import { defined } from '../../src/util/defined.js';
import { loadRulePack } from '../../src/engine/rulepack.js';

export function programOf(files: Record<string, string>): Program {
  return new Program(
    Object.entries(files).map(([path, text]) => {
      const bytes = Buffer.from(text);
      const { lex } = lexBytes(bytes);
      return { path, lex, parsed: parseBytes(bytes), bytes };
    }),
    loadRulePack().roles,
  );
}

/** The function of that name (the test fails when there is none). */
export const functionNamed = (program: Program, name: string): FnDef =>
  defined(program.functions.find((f) => f.name === name));
