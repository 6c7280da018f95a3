/**
 * Operator "guard-release": halt sets a flag that makes the release skip its
 * unmap (issue 7, class 4). The struct that holds the mapped field gets a
 * flag member; halt sets a bit of it (`|=`) just before its first call of the
 * site's chain; the unmap at the end of the chain is wrapped in a test of
 * that bit. No path through halt reaches the unmap any more, so
 * `ndis/unmap-in-halt` must be reported at every site it released.
 *
 * The release is often a free helper that initialize's failure paths share.
 * So that they stay as they were, the flag is cleared just before the
 * mapping: on every path where the mapping succeeded the bit is known clear
 * and the helper still unmaps. All four edits are on existing lines.
 *
 * The generator's rules: the mapping and the unmap must name the mapped
 * field as `Base->Field` (the struct is the one declaring that field, and
 * exactly one does); halt must hold a variable pointing to that struct, set
 * before the call; initialize must not call halt; the statements must be
 * plain (not the unbraced body of a control statement where text is put
 * before them, not followed by `else` where one is wrapped).
 */

import type { ChainStep, Site } from '../labels.js';
import type { Edit, Mutant, OperatorOutput } from '../mutant.js';
import { MAP_API, RELEASE_API, RULE_IN_HALT } from './api.js';
import { type OperatorContext, placeKey, samePlace } from './context.js';
import { haltHolding, initializeCallsHalt, otherReleaseReachable, severalCallbacks } from './halt.js';
import { callArguments, callStatement, callsOnLine, crossesDirective } from './statements.js';
import { type StructDef, pointerVariable, structDefinitions } from './structs.js';
import { matchForward, type Token } from '../ctext.js';
import { defined } from '../../src/util/defined.js';

export const GUARD_RELEASE = 'guard-release';

export const FLAG_MEMBER = 'NdisReviewGuard';
export const FLAG_BIT = '0x1';

/**
 * `Base->Field` in an argument, after type casts (`(PVOID *)`), and, for
 * `address: true`, an `&` and parentheses: `(PVOID *)&(Adapter->Regs)`.
 */
function baseAndField(
  tokens: readonly Token[],
  from: number,
  to: number,
  address: boolean,
): { base: string; field: string } | undefined {
  let k = from;
  const skipCasts = (): void => {
    while (tokens[k]?.text === '(' && k < to) {
      const close = matchForward(tokens, k);
      const inner = tokens.slice(k + 1, close);
      if (close < 0 || close >= to || !inner.every((t) => t.kind === 'id' || t.text === '*')) return;
      k = close + 1;
    }
  };
  skipCasts();
  let end = to;
  if (address) {
    if (tokens[k]?.text !== '&') return undefined;
    k++;
    while (tokens[k]?.text === '(' && matchForward(tokens, k) === end - 1) {
      k++;
      end--;
    }
  }
  const rest = tokens.slice(k, end);
  if (rest.length === 3 && rest[0].kind === 'id' && rest[1].text === '->' && rest[2].kind === 'id') {
    return { base: rest[0].text, field: rest[2].text };
  }
  return undefined;
}

export function guardRelease(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const groups = new Map<string, Site[]>();
  for (const site of ctx.label.sites) {
    const last = site.inHalt.chain.at(-1);
    if (site.inHalt.verdict !== 'released' || !last) continue;
    groups.set(placeKey(last), [...(groups.get(placeKey(last)) ?? []), site]);
  }
  for (const sites of groups.values()) {
    const chain = sites[0].inHalt.chain;
    const release = chain[chain.length - 1];
    const exclude = (rule: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(GUARD_RELEASE, rule, release, detail));
    };
    const result = guardMutant(ctx, sites, chain[0], release);
    if (typeof result === 'string') exclude(result, sites.map((s) => s.id).join(','));
    else out.mutants.push(result);
  }
  return out;
}

function guardMutant(
  ctx: OperatorContext,
  sites: readonly Site[],
  first: ChainStep,
  release: ChainStep,
): Mutant | string {
  if (sites.some((s) => !samePlace(s.inHalt.chain[0], first)))
    return 'sites reach the release from different halt calls';
  if (severalCallbacks(ctx)) return 'several initialize or halt callbacks';
  const halt = haltHolding(ctx, first);
  if (!halt) return 'the chain does not start in a labelled halt';
  if (initializeCallsHalt(ctx, halt)) return 'initialize calls halt';
  if (sites.some((s) => otherReleaseReachable(ctx, halt, s, [release])))
    return 'halt may still reach a release another way';

  // The unmap and what it releases.
  const rc = ctx.c(release.file);
  if (!rc) return 'the file is not in the driver';
  const rTokens = ctx.tokens(release.file);
  const unmaps = callsOnLine(rc, rTokens, RELEASE_API, release.line);
  if (unmaps.length !== 1)
    return unmaps.length === 0 ? 'no such call at the line (macro in the way)' : 'several such calls on the line';
  const unmap = callStatement(rTokens, unmaps[0]);
  if (!unmap || crossesDirective(rc, unmap.start, unmap.end)) return 'the call is not a statement of its own';
  if (unmap.elseFollows) return 'an else follows the unmap';
  const args = callArguments(rTokens, unmaps[0] + 1);
  const address = args.length === 3 ? baseAndField(rTokens, args[1].from, args[1].to, false) : undefined;
  if (!address) return 'the unmapped address is not Base->Field';

  // Each mapping: where the flag is cleared.
  const clears: Edit[] = [];
  for (const site of sites) {
    const clear = clearBeforeMapping(ctx, site, address.field);
    if (typeof clear === 'string') return clear;
    clears.push(clear);
  }

  // The struct holding the field, and a pointer to it in halt.
  const holders: StructDef[] = [];
  for (const file of ctx.files()) {
    holders.push(...structDefinitions(file, ctx.tokens(file)).filter((s) => s.members.has(address.field)));
  }
  if (holders.length !== 1)
    return holders.length === 0 ? 'no struct declares the field' : 'several structs declare the field';
  const holder = holders[0];
  const hc = defined(ctx.c(first.file));
  const hTokens = ctx.tokens(first.file);
  const calls = callsOnLine(hc, hTokens, first.call, first.line);
  if (calls.length !== 1)
    return calls.length === 0 ? 'no such call at the line (macro in the way)' : 'several such calls on the line';
  const call = callStatement(hTokens, calls[0]);
  if (!call || crossesDirective(hc, call.start, call.end)) return 'the call is not a statement of its own';
  if (call.controlled) return 'the halt call is the unbraced body of a control statement';
  const headerStart = hTokens.findIndex((t) => t.start === halt.nameStart);
  const bodyFirst = hTokens.findIndex((t) => t.start === halt.open);
  const variable = pointerVariable(hTokens, headerStart, call.first, holder);
  if (variable === undefined || variable < 0 || headerStart < 0 || bodyFirst < 0)
    return 'halt has no pointer to the struct';
  const v = hTokens[variable].text;
  if (!assignedBefore(hTokens, variable, call.first, bodyFirst)) return 'the pointer is not set before the call';

  const edits: Edit[] = [
    ...clears,
    { file: holder.file, start: holder.openOffset + 1, end: holder.openOffset + 1, text: ` ULONG ${FLAG_MEMBER};` },
    { file: first.file, start: call.start, end: call.start, text: `${v}->${FLAG_MEMBER} |= ${FLAG_BIT}; ` },
    {
      file: release.file,
      start: unmap.start,
      end: unmap.start,
      text: `if (!(${address.base}->${FLAG_MEMBER} & ${FLAG_BIT})) `,
    },
  ];
  return {
    id: `${GUARD_RELEASE}@${placeKey(release)}`,
    operator: GUARD_RELEASE,
    file: release.file,
    line: release.line,
    description: `halt sets ${v}->${FLAG_MEMBER} before ${first.call}; the unmap is skipped when it is set`,
    edits,
    expected: sites.map((s) => ({ rule: RULE_IN_HALT, file: s.file, line: s.line })),
  };
}

/** `Base->Flag = 0; ` put before the mapping statement of `site`, whose address must be `&Base->field`. */
function clearBeforeMapping(ctx: OperatorContext, site: Site, field: string): Edit | string {
  const c = ctx.c(site.file);
  if (!c) return 'the file is not in the driver';
  const tokens = ctx.tokens(site.file);
  const maps = callsOnLine(c, tokens, MAP_API, site.line);
  if (maps.length !== 1)
    return maps.length === 0 ? 'no mapping call at the site (macro in the way)' : 'several mappings on the line';
  const statement = callStatement(tokens, maps[0]);
  if (!statement || crossesDirective(c, statement.start, statement.end))
    return 'the mapping is not a statement of its own';
  if (statement.controlled) return 'the mapping is the unbraced body of a control statement';
  const args = callArguments(tokens, maps[0] + 1);
  const first = args.at(0);
  const target = first ? baseAndField(tokens, first.from, first.to, true) : undefined;
  if (!target) return 'the mapped address is not &Base->Field';
  if (target.field !== field) return 'the mapping and the unmap name different fields';
  return {
    file: site.file,
    start: statement.start,
    end: statement.start,
    text: `${target.base}->${FLAG_MEMBER} = 0; `,
  };
}

/** A parameter, or a local initialised in its declaration or assigned before the call. */
function assignedBefore(tokens: readonly Token[], variable: number, before: number, bodyFirst: number): boolean {
  if (variable < bodyFirst) return true;
  if (tokens[variable + 1]?.text === '=') return true;
  const name = tokens[variable].text;
  for (let k = variable + 1; k < before; k++) if (tokens[k].text === name && tokens[k + 1]?.text === '=') return true;
  return false;
}
