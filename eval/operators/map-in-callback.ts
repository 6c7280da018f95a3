/**
 * Operator "map-in-callback": a mapping is made in another callback (reset,
 * DPC, ISR, check-for-hang, ... as the label's `callbacks` list them). A
 * self-contained block with an `NdisMMapIoSpace` call is put on the line of
 * the callback's opening brace, after the brace; `ndis/mmap-context` must be
 * reported at that line, and nothing else (the mapping is a local only this
 * block sees, so no pairing rule applies to it).
 */

import { loadRulePack } from '../../src/engine/rulepack.js';
import { lineOf } from '../ctext.js';
import { reach } from '../cfuncs.js';
import type { OperatorOutput } from '../mutant.js';
import { MAP_API, RULE_CONTEXT } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { defined } from '../../src/util/defined.js';

export const MAP_IN_CALLBACK = 'map-in-callback';

export const INSERTED_MAPPING =
  ` { PVOID NdisReviewVa; NDIS_PHYSICAL_ADDRESS NdisReviewPa; NdisReviewPa.QuadPart = 0;` +
  ` ${MAP_API}(&NdisReviewVa, NULL, NdisReviewPa, 0x1000); }`;

/**
 * Roles besides initialize in whose context the rule allows the mapping (WDI's allocate-adapter, open-adapter,
 * ... run inside the initialize of Microsoft's WLAN component), read from the rule pack so the two agree.
 */
function rolesAllowedToMap(): Set<string> {
  const rule = loadRulePack().rules.find((r) => r.id === RULE_CONTEXT);
  return new Set(rule?.kind === 'call-context' ? rule.allowedRoles : []);
}

export function mapInCallback(ctx: OperatorContext): OperatorOutput {
  const allowedRoles = rolesAllowedToMap();
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const initialize = new Set(ctx.label.initialize.map((i) => i.name));
  const halt = new Set(ctx.label.halt.map((h) => h.name));
  const reachedFromInit = reach(ctx.graph().calls, initialize);
  const seen = new Set<string>();
  for (const callback of ctx.label.callbacks) {
    if (seen.has(placeKey(callback))) continue;
    seen.add(placeKey(callback));
    const exclude = (rule: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(MAP_IN_CALLBACK, rule, callback, detail));
    };
    if (initialize.has(callback.name) || halt.has(callback.name)) {
      exclude('the callback is initialize or halt', callback.name);
      continue;
    }
    if (allowedRoles.has(callback.role)) {
      exclude('the rule allows the mapping in this role', `${callback.name} (${callback.role})`);
      continue;
    }
    const def = ctx.definition(callback);
    if (!def) {
      exclude('the callback definition is not found at its line', callback.name);
      continue;
    }
    if (reachedFromInit.has(callback.name)) {
      exclude('initialize calls the callback', callback.name);
      continue;
    }
    const c = defined(ctx.c(callback.file));
    const line = lineOf(c, def.open);
    out.mutants.push({
      id: `${MAP_IN_CALLBACK}@${placeKey(callback)}`,
      operator: MAP_IN_CALLBACK,
      file: callback.file,
      line,
      description: `${MAP_API} in ${callback.role} callback ${callback.name}`,
      edits: [{ file: callback.file, start: def.open + 1, end: def.open + 1, text: INSERTED_MAPPING }],
      expected: [{ rule: RULE_CONTEXT, file: callback.file, line }],
    });
  }
  return out;
}
