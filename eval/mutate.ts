/**
 * The mutation generator: every operator over one driver and its label.
 * Each operator is applied at every place it fits; with a limit, a seeded
 * sample of each operator's mutants is kept (the rest are counted as
 * sampled out, apart from the generator's exclusions).
 */

import type { Label } from './labels.js';
import type { Exclusion, Mutant, OperatorOutput } from './mutant.js';
import { type DriverText, OperatorContext } from './operators/context.js';
import { CHANGE_LENGTH, changeLength } from './operators/change-length.js';
import { DELETE_UNMAP, deleteUnmap } from './operators/delete-unmap.js';
import { DROP_HALT_CALL, dropHaltCall } from './operators/drop-halt-call.js';
import { EXIT_TO_RETURN, exitToReturn } from './operators/exit-to-return.js';
import { GUARD_RELEASE, guardRelease } from './operators/guard-release.js';
import { MAP_IN_CALLBACK, insertOperators, mapInCallback } from './operators/insert-in-callback.js';
import { PAIR_DROP_RELEASE, PAIR_EXIT_TO_RETURN, pairDropRelease, pairExitToReturn } from './operators/pairing.js';
import { PAIR_DROP_CLOSE, pairDropClose } from './operators/opener.js';
import { LOCK_DROP_RELEASE, lockDropRelease } from './operators/locks.js';
import { RULE_CONTEXT, RULE_IN_HALT, RULE_LENGTH, RULE_ON_FAILURE } from './operators/api.js';
import { BREAK_CONSTANT, breakConstant } from './operators/constants.js';
import { BAD_PAUSE_STATUS, badPauseStatus } from './operators/returns.js';
import { DROP_TIMER_CANCEL, dropTimerCancel } from './operators/timers.js';
import { sample, seedFor, seeded } from './random.js';
import { uniqueKeys } from './score.js';
import { ENGINE_SOURCE } from './tokens.js';

/** The rules the mapping operators are judged on (their labels speak of the mapping only). */
export const MAPPING_RULES: readonly string[] = [RULE_CONTEXT, RULE_ON_FAILURE, RULE_IN_HALT, RULE_LENGTH];

export const OPERATORS: readonly {
  id: string;
  run: (ctx: OperatorContext) => OperatorOutput;
  /** Judged on these rules only; undefined: every compared rule. */
  rules?: readonly string[];
}[] = [
  { id: DROP_HALT_CALL, run: dropHaltCall, rules: MAPPING_RULES },
  { id: EXIT_TO_RETURN, run: exitToReturn, rules: MAPPING_RULES },
  { id: DELETE_UNMAP, run: deleteUnmap, rules: MAPPING_RULES },
  { id: CHANGE_LENGTH, run: changeLength, rules: MAPPING_RULES },
  { id: MAP_IN_CALLBACK, run: mapInCallback, rules: MAPPING_RULES },
  { id: GUARD_RELEASE, run: guardRelease, rules: MAPPING_RULES },
  { id: PAIR_DROP_RELEASE, run: pairDropRelease },
  { id: PAIR_EXIT_TO_RETURN, run: pairExitToReturn },
  { id: PAIR_DROP_CLOSE, run: pairDropClose },
  { id: LOCK_DROP_RELEASE, run: lockDropRelease },
  ...insertOperators.filter((op) => op.id !== MAP_IN_CALLBACK),
  { id: BREAK_CONSTANT, run: breakConstant },
  { id: BAD_PAUSE_STATUS, run: badPauseStatus },
  { id: DROP_TIMER_CANCEL, run: dropTimerCancel },
];

export interface Generated {
  mutants: Mutant[];
  excluded: Exclusion[];
  /** Mutants left out by the sample, per operator. */
  sampledOut: Record<string, number>;
}

export interface GenerateOptions {
  /** At most this many mutants per operator (a seeded sample); undefined keeps all. */
  limit?: number;
  seed: number;
  /** Only these operators (undefined: all). */
  operators?: readonly string[];
}

/** The generator's rule for C++ files: the engine reads C only (`.c .h .inc .inl`), so a C++ edit tests nothing it claims. */
export const CPLUSPLUS_RULE = 'edits a C++ file (the engine reads C only)';

function outsideC(mutant: Mutant): Exclusion | undefined {
  const edit = mutant.edits.find((e) => !ENGINE_SOURCE.test(e.file));
  if (!edit) return undefined;
  return { operator: mutant.operator, rule: CPLUSPLUS_RULE, file: mutant.file, line: mutant.line, detail: edit.file };
}

export function generateMutants(label: Label, driver: DriverText, options: GenerateOptions): Generated {
  const ctx = new OperatorContext(label, driver);
  const result: Generated = { mutants: [], excluded: [], sampledOut: {} };
  for (const operator of OPERATORS) {
    if (options.operators !== undefined && !options.operators.includes(operator.id)) continue;
    const out = operator.run(ctx);
    const outside = out.mutants.map(outsideC);
    out.excluded.push(...outside.filter((e) => e !== undefined));
    let kept = out.mutants.filter((_, i) => outside[i] === undefined);
    if (options.limit !== undefined && kept.length > options.limit) {
      kept = sample(kept, options.limit, seeded(seedFor(`${label.driver}/${operator.id}`, options.seed)));
    }
    result.sampledOut[operator.id] = out.mutants.length - outside.filter((e) => e !== undefined).length - kept.length;
    // One finding per rule and place, however many sites leak there (see score.ts).
    result.mutants.push(
      ...kept.map((m) => ({
        ...m,
        expected: uniqueKeys(m.expected),
        ...(operator.rules !== undefined ? { rules: operator.rules } : {}),
      })),
    );
    result.excluded.push(...out.excluded);
  }
  return result;
}
