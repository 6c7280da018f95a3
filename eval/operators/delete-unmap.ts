/**
 * Operator "delete-unmap": one `NdisMUnmapIoSpace` statement is deleted. The
 * findings its absence causes come from the labels: a site whose halt chain
 * ends there gets `ndis/unmap-in-halt`; each failure exit whose release is
 * there gets `ndis/unmap-on-failure` where that leak is reported.
 */

import type { Place, Release, Site } from '../labels.js';
import type { OperatorOutput } from '../mutant.js';
import { deletingStatement } from '../mutant.js';
import type { FindingKey } from '../score.js';
import { RELEASE_API, RULE_IN_HALT, RULE_ON_FAILURE } from './api.js';
import { type OperatorContext, placeKey, samePlace } from './context.js';
import { haltHolding, initializeCallsHalt, otherReleaseReachable, severalCallbacks } from './halt.js';
import { failureMayBeDecidedInHelper } from './helper-decided.js';
import { reportSite } from './report-site.js';
import { callStatement, callsOnLine, crossesDirective } from './statements.js';

export const DELETE_UNMAP = 'delete-unmap';

/** What deleting `release` must cause, or the generator's reason why that cannot be told. */
function expectedFor(ctx: OperatorContext, release: Place, sites: readonly Site[]): FindingKey[] | string {
  const expected = new Map<string, FindingKey>();
  // Where the labels already expect a failure-path leak (of this mapping on another path, or of
  // another mapping), the finding is there before the edit: the mutant cannot add it, and is judged
  // on what it does add.
  const reported = new Set(ctx.label.expected.filter((e) => e.rule === RULE_ON_FAILURE).map(placeKey));
  for (const site of sites) {
    const last = site.inHalt.chain.at(-1);
    if (site.inHalt.verdict === 'released' && last && samePlace(last, release)) {
      if (severalCallbacks(ctx)) return 'several initialize or halt callbacks';
      const halt = haltHolding(ctx, site.inHalt.chain[0]);
      if (!halt) return 'the chain does not start in a labelled halt';
      // Initialize's failure paths then release through halt too, and the labels list no exit for them.
      if (initializeCallsHalt(ctx, halt)) return 'initialize calls halt';
      if (otherReleaseReachable(ctx, halt, site, [release])) return 'halt may still reach a release another way';
      expected.set(`${site.id} halt`, { rule: RULE_IN_HALT, file: site.file, line: site.line });
    }
    for (const exit of site.onFailure.exits) {
      if (!exit.releasedAt || !samePlace(exit.releasedAt, release)) continue;
      if (failureMayBeDecidedInHelper(ctx, site, exit)) return 'the failure may be decided inside the mapping helper';
      const at = reportSite(ctx, exit);
      if (!at) return "cannot tell where a break's leak is reported";
      if (reported.has(placeKey(at))) continue;
      // One finding per site and report place: several breaks to one return are one leak there.
      expected.set(`${site.id} ${placeKey(at)}`, { rule: RULE_ON_FAILURE, file: at.file, line: at.line });
    }
  }
  return [...expected.values()];
}

export function deleteUnmap(ctx: OperatorContext): OperatorOutput {
  const out: OperatorOutput = { mutants: [], excluded: [] };
  const groups = new Map<string, { release: Release; sites: Site[] }>();
  for (const site of ctx.label.sites) {
    for (const release of site.releases) {
      const group = groups.get(placeKey(release)) ?? { release, sites: [] };
      group.sites.push(site);
      groups.set(placeKey(release), group);
    }
  }
  for (const { release, sites } of groups.values()) {
    const exclude = (rule: string, detail: string): void => {
      out.excluded.push(ctx.exclusion(DELETE_UNMAP, rule, release, detail));
    };
    const c = ctx.c(release.file);
    if (!c) {
      exclude('the file is not in the driver', release.file);
      continue;
    }
    const tokens = ctx.tokens(release.file);
    const calls = callsOnLine(c, tokens, RELEASE_API, release.line);
    if (calls.length !== 1) {
      exclude(
        calls.length === 0 ? 'no such call at the line (macro in the way)' : 'several such calls on the line',
        RELEASE_API,
      );
      continue;
    }
    const statement = callStatement(tokens, calls[0]);
    if (!statement) {
      exclude('the call is not a statement of its own', RELEASE_API);
      continue;
    }
    if (crossesDirective(c, statement.start, statement.end)) {
      exclude('the statement spans a preprocessor line', RELEASE_API);
      continue;
    }
    const expected = expectedFor(ctx, release, sites);
    if (typeof expected === 'string') {
      exclude(expected, sites.map((s) => s.id).join(','));
      continue;
    }
    if (expected.length === 0) {
      exclude('no finding follows from the labels', sites.map((s) => s.id).join(','));
      continue;
    }
    out.mutants.push({
      id: `${DELETE_UNMAP}@${placeKey(release)}`,
      operator: DELETE_UNMAP,
      file: release.file,
      line: release.line,
      description: `${RELEASE_API} deleted`,
      edits: [deletingStatement(release.file, c.text, statement)],
      expected,
    });
  }
  return out;
}
