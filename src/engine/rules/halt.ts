/**
 * Rule kind `release-in-role`: what initialize keeps when it succeeds, the
 * paired halt callback releases. Halt is walked by the path analysis with
 * every kept acquisition held, so halt's own flags and tests count; calls
 * through pointers that could release withhold the decision instead.
 */
import type { Pos } from '../ast.js';
import { KeyMaker, displayKey, sameResource } from '../keys.js';
import { siteId, type AcquireSite, type InitAnalysis, type PathAnalyzer, type RoleAnalysis } from '../paths.js';
import type { FnDef, Program } from '../program.js';
import { formatMessage, type ReleaseInRoleRule, type ResourceDef, type RulePack } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import type { Notice } from '../types.js';
import { evidenceText, handleKey, isPersistentKey, reachableFrom, span, type Draft } from './common.js';
import { defined } from '../../util/defined.js';

/** A walk of a releasing callback starting with `held` held. */
export type WalkRole = (root: FnDef, held: { id: string; site: AcquireSite; names: string[] }[]) => RoleAnalysis;

/** Halt callbacks paired with an initialize callback: same characteristics object, else same file, else same folder. */
function haltsFor(program: Program, pack: RulePack, init: FnDef, haltRoles: string[]): FnDef[] {
  const halts = program.functions.filter((f) => program.rolesOf(f).some((r) => haltRoles.includes(r.role)));
  const initObjects = new Set(
    program
      .rolesOf(init)
      .map((r) => r.object)
      .filter((o): o is string => !!o),
  );
  const sameObject = halts.filter((h) => program.rolesOf(h).some((r) => r.object && initObjects.has(r.object)));
  if (sameObject.length) return sameObject;
  const initFiles = new Set([
    init.file,
    ...program
      .rolesOf(init)
      .filter((r) => pack.roles.initialize.includes(r.role))
      .map((r) => r.path),
  ]);
  const haltFiles = (h: FnDef) => [
    h.file,
    ...program
      .rolesOf(h)
      .filter((r) => haltRoles.includes(r.role))
      .map((r) => r.path),
  ];
  const sameFile = halts.filter((h) => haltFiles(h).some((f) => initFiles.has(f)));
  if (sameFile.length) return sameFile;
  const dir = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  const initDirs = new Set([...initFiles].map(dir));
  return halts.filter((h) => haltFiles(h).some((f) => initDirs.has(dir(f))));
}

function exitOf(
  kept: Map<string, { site: AcquireSite; names: Set<string>; exit?: { file: string; p: Pos } }>,
  id: string,
): { file: string; p: Pos } | undefined {
  return kept.get(id)?.exit;
}

export function releaseInRole(
  program: Program,
  pack: RulePack,
  rule: ReleaseInRoleRule,
  analyses: Map<FnDef, InitAnalysis>,
  analyzer: PathAnalyzer,
  notices: Notice[],
  /** The walk of a halt callback (a remembered one where the rules keep them). */
  walkRole: WalkRole = (h, held) => analyzer.analyzeRole(h, held),
): Draft[] {
  const resource = pack.resources[rule.resource];
  const drafts: Draft[] = [];
  const reported = new Set<string>();
  for (const [init, a] of analyses) {
    const halts = haltsFor(program, pack, init, pack.roles.halt);
    if (halts.length === 0 || !a.complete) continue;
    const kept = new Map<string, { site: AcquireSite; names: Set<string>; exit?: { file: string; p: Pos } }>();
    for (const k of a.kept) {
      const id = siteId(k.site);
      const rec = kept.get(id) ?? { site: k.site, names: new Set<string>(), ...(k.exit ? { exit: k.exit } : {}) };
      for (const n of k.names) rec.names.add(n);
      for (const n of a.sites.get(id)?.names ?? []) rec.names.add(n);
      kept.set(id, rec);
    }
    const pending = [...kept].filter(([id]) => !reported.has(id));
    if (!pending.length) continue;
    // Halt starts with every kept mapping held, under the names that outlive initialize (fields, globals).
    const held = pending.map(([id, { site, names }]) => ({ id, site, names: [...names].filter(isPersistentKey) }));
    const walks = halts.map((h) => ({ h, w: walkRole(h, held) }));
    const damagedWalk = walks.find((x) => x.w.damaged.length);
    for (const [id, { site, names }] of pending) {
      if (walks.some((x) => x.w.released.has(id))) continue;
      reported.add(id);
      if (damagedWalk) {
        const d = damagedWalk.w.damaged[0];
        notices.push({
          kind: 'parse-recovered',
          withheld: true,
          path: d.file,
          line: d.line,
          message: `${rule.id} was not decided for ${site.text}: ${d.name}, on the paths of the halt callback ${damagedWalk.h.name}, does not parse cleanly, so a release there cannot be ruled out.`,
        });
        continue;
      }
      const unsure = walks.find((x) => x.w.mayRelease.has(id) || !x.w.complete);
      if (unsure) {
        notices.push({
          kind: unsure.w.complete ? 'unresolved' : 'budget',
          withheld: true,
          path: site.file,
          line: site.p[0],
          message: unsure.w.complete
            ? `${rule.id} was not decided for ${site.text}: no path through the halt callback ${unsure.h.name} releases it, but a call through a function pointer on the way may reach a function that does.`
            : `${rule.id} was not decided for ${site.text}: the walk of the halt callback ${unsure.h.name} stopped at its step budget.`,
        });
        continue;
      }
      const halt = halts[0];
      const hev = defined(
        program.rolesOf(halt).find((r) => pack.roles.halt.includes(r.role)),
        `halt role of ${halt.name}`,
      );
      const persistent = [...names].filter(isPersistentKey).map(displayKey);
      const skipped = releaseSitesFrom(program, halts, resource, names);
      drafts.push({
        rule: rule.id,
        severity: rule.severity,
        path: site.file,
        ...span(site.p),
        message: formatMessage(rule, 'notReleased', {
          noun: resource.noun,
          handle: site.text,
          keys: persistent.length ? ` (${persistent.join(', ')})` : '',
          init: init.name,
          halts: halts.map((x) => x.name).join(' / '),
          releases: resource.words.releases,
          advice: rule.advice,
        }),
        messageId: 'notReleased',
        trace: [
          {
            path: site.file,
            line: site.p[0],
            message: `${site.fn} ${resource.words.acquires} ${site.text} here${site.fn !== init.name ? ` (called from ${init.name})` : ''}`,
          },
          {
            path: exitOf(kept, id)?.file ?? init.file,
            line: exitOf(kept, id)?.p[0] ?? init.fact.p[0],
            message: `${init.name} can return success with it ${resource.words.held}`,
          },
          {
            path: halt.file,
            line: halt.fact.p[0],
            message: `${halt.name} is the halt callback (${evidenceText(hev)}) and does not ${resource.words.releases.replace(/s$/, '')} it`,
          },
          ...skipped.map((r) => ({
            path: r.file,
            line: r.line,
            message: `this ${resource.release.call} of it is reached from ${halt.name} on no path the code allows (its conditions are false there)`,
          })),
        ],
        docs: rule.docs,
        identity: [rule.id, site.file, site.fn, site.key],
      });
    }
  }
  return drafts;
}

/** Releases of this resource written in functions halt reaches (the path walk found none of them reachable). */
function releaseSitesFrom(
  program: Program,
  halts: FnDef[],
  resource: ResourceDef,
  names: Set<string>,
): { file: string; line: number }[] {
  const keys = new KeyMaker(program);
  const out: { file: string; line: number }[] = [];
  for (const fn of new Set(halts.flatMap((h) => reachableFrom(program, h)))) {
    for (const c of apiCalls(program, fn, resource.release.call)) {
      const k = handleKey(keys, c.call.a[resource.release.handleArg], resource.release.handleIsOut ?? false, c.env);
      if (k && [...names].some((n) => sameResource(n, k))) out.push({ file: fn.file, line: c.p[0] });
    }
  }
  return out.slice(0, 3);
}
