/**
 * Operator "change-length": an unmap is given a length other than the one
 * mapped. Applies where the site's mapped length is a known integer and the
 * release unmaps that same length; the length argument becomes another
 * integer, and `ndis/unmap-length` must be reported at that unmap.
 */

import type { Release, Site } from '../labels.js';
import { type Mutant, type OperatorOutput, keepingLines } from '../mutant.js';
import { RELEASE_API, RULE_LENGTH } from './api.js';
import { type OperatorContext, placeKey } from './context.js';
import { callArguments, callsOnLine, crossesDirective } from './statements.js';

export const CHANGE_LENGTH = 'change-length';

/** A different length, written in hex as drivers write lengths. */
export function otherLength(mapped: number): number {
  return mapped === 0 ? 0x100 : mapped * 2;
}

export function changeLength(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const sitesOf = new Map<string, Site[]>();
  for (const site of ctx.label.sites) {
    for (const r of site.releases) sitesOf.set(placeKey(r), [...(sitesOf.get(placeKey(r)) ?? []), site]);
  }
  const done = new Set<string>();
  for (const site of ctx.label.sites) {
    for (const release of site.releases) {
      if (done.has(placeKey(release))) continue;
      done.add(placeKey(release));
      const sharing = sitesOf.get(placeKey(release)) ?? [];
      const result = lengthMutant(ctx, site, release, sharing);
      if (typeof result !== 'string') out.mutants.push(result);
      else out.excluded.push(ctx.exclusion(CHANGE_LENGTH, result, release, sharing.map((s) => s.id).join(',')));
    }
  }
  return out;
}

/** The mutant, or the generator's rule that excludes it. */
function lengthMutant(ctx: OperatorContext, site: Site, release: Release, sharing: readonly Site[]): Mutant | string {
  if (site.lengthValue === null) return 'the mapped length is not a known integer';
  if (sharing.length > 1) return 'the release serves several sites';
  if (release.verdict !== 'same') return 'the release already unmaps another length';
  const c = ctx.c(release.file);
  if (!c) return 'the file is not in the driver';
  const tokens = ctx.tokens(release.file);
  const calls = callsOnLine(c, tokens, RELEASE_API, release.line);
  if (calls.length !== 1)
    return calls.length === 0 ? 'no such call at the line (macro in the way)' : 'several such calls on the line';
  const args = callArguments(tokens, calls[0] + 1);
  if (args.length !== 3) return 'the unmap does not have three arguments';
  const start = tokens[args[2].from].start;
  const end = tokens[args[2].to - 1].end;
  if (crossesDirective(c, start, end)) return 'the argument spans a preprocessor line';
  const length = `0x${otherLength(site.lengthValue).toString(16)}`;
  return {
    id: `${CHANGE_LENGTH}@${placeKey(release)}`,
    operator: CHANGE_LENGTH,
    file: release.file,
    line: release.line,
    description: `unmap length ${c.text.slice(start, end).replace(/\s+/g, ' ')} becomes ${length}`,
    edits: [{ file: release.file, start, end, text: keepingLines(c.text.slice(start, end), length) }],
    expected: [{ rule: RULE_LENGTH, file: release.file, line: release.line }],
  };
}
