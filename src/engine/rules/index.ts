/**
 * Runs the rule pack over a linked program. The engine knows rule kinds, one
 * module each: call-context (reachability from callback roots),
 * release-on-failure and release-in-role (path analysis of initialize and
 * of halt), argument-match (the length released against the length
 * acquired). Messages come from each rule's `messages` in the rule pack.
 */
import { createHash } from 'node:crypto';
import { plural, withArticle } from '../../util/words.js';
import { FixMaker } from '../fixes.js';
import {
  findMoved,
  findReports,
  FnIdentity,
  keepReports,
  keepMoved,
  movedKey,
  roleKey,
  type MovedEntry,
  type MovedReports,
  type RememberedRole,
} from '../movedanalysis.js';
import { PathAnalyzer, type InitAnalysis } from '../paths.js';
import type { FnDef, Program, RoleEvidence } from '../program.js';
import { ruleApis, type ResourceDef, type RulePack } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import type { Finding, Notice, ParseHealth } from '../types.js';
import { cmp, finalize, pointerCallable, reachableFrom, reaching, roleLabel, type Draft } from './common.js';
import { callContext } from './context.js';
import { releaseOnFailure } from './failure.js';
import { releaseInRole, type WalkRole } from './halt.js';
import { argumentMatch } from './length.js';
import { pairing } from './pairing.js';
import { cancelInRole } from './cancel.js';
import { constantArgument } from './constant.js';
import { flaggedCallbackCall } from './flagged.js';
import { forbiddenContext } from './forbidden.js';
import { lockBalance, type CallbackMemo, type LockWalks, type RememberedCallback } from './locks.js';
import { returnValue } from './returns.js';
import { onDemandParse } from '../parseclock.js';

export interface RuleOutput {
  findings: Finding[];
  notices: Notice[];
  health: ParseHealth;
  /** Only when the context asks for them (`countApis`). */
  apiCalls?: Record<string, { direct: number; viaMacro: number }>;
}

/** What one run of the rules measured beside its output (never remembered with it: a cached output was not timed). */
export interface RuleTimes {
  /** Milliseconds per rule id; a resource's initialize walks count in the first rule that asks for them. */
  ruleMs: Record<string, number>;
  /** Steps of the path walks this run made (a remembered analysis took none). */
  walkSteps: number;
  /** The lock rule's callback walks this run made, and how many left a path or a lock unfollowed. */
  lockWalks: LockWalks;
}

/** What the rules keep between scans under a key (a `BoundedMap` of the fact cache). */
export interface KeyedMemo<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}

/**
 * Remembered path analyses. An analysis reads only the functions it can step
 * into and the program's link context (names, macros, types), so its key is
 * those files' contents and that context: an edit in one driver re-walks only
 * that driver's initialize.
 */
export type AnalysisMemo = KeyedMemo<InitAnalysis>;

/**
 * Remembered findings of rules that decide each callback on its own (`lock-balance`): a callback's
 * drafts are kept under what its walk read (`callbackMemo`), so an edit elsewhere does not walk it again.
 */
export type DraftMemo = KeyedMemo<RememberedCallback>;

export interface RuleContext {
  memo?: AnalysisMemo;
  /**
   * Path analyses by their functions' tokens (`movedanalysis.ts`), kept beside `memo`: found again
   * after an edit that only moved code.
   */
  moved?: KeyedMemo<MovedEntry>;
  /** Walks of halt callbacks, by their functions' tokens and what they start holding (`roleKey`). */
  roles?: KeyedMemo<RememberedRole>;
  /** Per-callback lock reports by their functions' tokens (`keepReports`), kept beside `drafts`. */
  movedDrafts?: KeyedMemo<MovedReports>;
  /** Per-callback findings (see `DraftMemo`), kept with the same link signature and file hashes. */
  drafts?: DraftMemo;
  /** Digest of everything but function bodies that the analyses read. */
  linkSignature?: string;
  /**
   * The same without the lines macros are defined at: the keys of the analyses kept for code that
   * moves (`moved`, `roles`, `movedDrafts`), whose positions are all tied to the read functions' tokens.
   */
  movedSignature?: string;
  /** Content hash of each file, by path. */
  fileHashes?: Map<string, string>;
  /** Count the call sites of each API the active rules name (`RuleOutput.apiCalls`). */
  countApis?: boolean;
}

/** Rule kinds that walk the initialize callback's paths (and pair it with halt). */
const NEEDS_INITIALIZE = new Set<string>(['release-on-failure', 'release-in-role', 'argument-match']);

/**
 * What of a rule cannot run without an initialize callback: all of it, the duties of a pairing rule
 * that walk initialize and halt (its context and opener duties still decide), or nothing.
 */
function skippedWithoutInitialize(rule: RulePack['rules'][number]): string | undefined {
  if (NEEDS_INITIALIZE.has(rule.kind)) return rule.id;
  if (rule.kind !== 'pairing') return undefined;
  const d = rule.duties;
  if (!d.onFailure && !d.inHalt && !d.sameArguments) return undefined;
  return d.context || d.inOpener ? `${rule.id} (its initialize and halt duties)` : rule.id;
}

export function runRules(program: Program, pack: RulePack, context: RuleContext = {}): RuleOutput & RuleTimes {
  const notices: Notice[] = [];
  const inits = program.functions.filter((f) => program.rolesOf(f).some((r) => pack.roles.initialize.includes(r.role)));
  // Without an initialize callback the rules that walk initialize and halt have nothing to walk, but the
  // others still decide: a mapping in DriverEntry or an OID handler is wrong whichever function initializes.
  const withoutInitialize = inits.length === 0;
  if (withoutInitialize) {
    const skipped = pack.rules.map(skippedWithoutInitialize).filter((id) => id !== undefined);
    notices.push({
      kind: 'not-applicable',
      message: `No initialize callback (${roleLabel(pack, pack.roles.initialize[0])}) was found, so ${skipped.length ? skipped.join(', ') : 'no rule'} did not run here; the other rules ran. If it has one, declare it with its role type, a _Function_class_ annotation or a registration in the characteristics.`,
    });
  }
  const drafts: Draft[] = [];
  const analyses = new Map<string, Map<FnDef, InitAnalysis>>();
  const analyzers = new Map<string, PathAnalyzer>();
  const analyzerFor = (resource: ResourceDef): PathAnalyzer => {
    let a = analyzers.get(resource.name);
    if (!a) {
      const relevant = reaching(program, [resource.acquire.call, resource.release.call], pack.roles.halt);
      const releasing = reaching(program, [resource.release.call], []);
      // A call through a pointer nothing resolves may call any function whose address is taken.
      const byPointer = pointerCallable(program, pack);
      const mayRelease = [...byPointer].some((f) => releasing.has(f));
      const acquiring = reaching(program, [resource.acquire.call], []);
      const mayAcquire = [...byPointer].some((f) => acquiring.has(f));
      a = new PathAnalyzer(
        program,
        resource,
        relevant,
        mayRelease,
        undefined,
        Object.values(pack.allResources ?? pack.resources),
        mayAcquire,
      );
      analyzers.set(resource.name, a);
    }
    return a;
  };
  let identities: FnIdentity | undefined;
  /** The key under the read functions' tokens, when there is a memo of moved analyses to look in. */
  const movedFor = (resource: ResourceDef, init: FnDef, reads: FnDef[]) => {
    const { moved, movedSignature, fileHashes } = context;
    if (!moved || !movedSignature || !fileHashes) return undefined;
    const ids = (identities ??= new FnIdentity(program));
    const key = movedKey(program, ids, movedSignature, `${resource.name}\u0000${ids.of(init)}`, reads);
    return key === undefined ? undefined : { key, ids, hashes: fileHashes };
  };
  /**
   * Initialize's analysis: remembered with these files' contents, else with these functions' tokens
   * (the code moved since: its positions are moved too), else walked now and remembered both ways.
   */
  const rememberedOrWalked = (resource: ResourceDef, analyzer: PathAnalyzer, init: FnDef): InitAnalysis => {
    const reads = analyzer.walkable(init);
    // A key is made only when there is a memo to keep it in.
    const key = analysisKey(context, resource, reads, init);
    if (!key) return analyzer.analyzeInit(init);
    const known = context.memo?.get(key);
    if (known) return known;
    const moved = movedFor(resource, init, reads);
    const entry = moved ? context.moved?.get(moved.key) : undefined;
    let a = moved && entry ? findMoved(program, moved.ids, entry, reads, moved.hashes) : undefined;
    if (!a) {
      a = analyzer.analyzeInit(init);
      const kept = moved ? keepMoved(program, moved.ids, a, reads, moved.hashes) : undefined;
      if (moved && kept) context.moved?.set(moved.key, kept);
    }
    context.memo?.set(key, a);
    return a;
  };
  /** Halt walks for the resource, remembered by what they read and start holding where there is a memo. */
  const roleWalkFor = (resource: ResourceDef): WalkRole => {
    const analyzer = analyzerFor(resource);
    const { roles, movedSignature } = context;
    if (!roles || !movedSignature) return (h, held) => analyzer.analyzeRole(h, held);
    return (h, held) => {
      const ids = (identities ??= new FnIdentity(program));
      const key = roleKey(program, ids, movedSignature, resource.name, h, analyzer.walkable(h), held);
      const known = key === undefined ? undefined : roles.get(key);
      if (known)
        return {
          released: new Set(known.released.map((i) => held[i].id)),
          mayRelease: new Set(known.mayRelease.map((i) => held[i].id)),
          complete: known.complete,
          damaged: [],
        };
      const w = analyzer.analyzeRole(h, held);
      // A walk through damaged code names lines in its notices: walked again, never remembered.
      if (key !== undefined && !w.damaged.length) {
        const at = (set: Set<string>) => held.flatMap((x, i) => (set.has(x.id) ? [i] : []));
        roles.set(key, { released: at(w.released), mayRelease: at(w.mayRelease), complete: w.complete });
      }
      return w;
    };
  };
  const analysisFor = (resource: ResourceDef): Map<FnDef, InitAnalysis> => {
    let m = analyses.get(resource.name);
    if (m) return m;
    m = new Map();
    const analyzer = analyzerFor(resource);
    for (const init of inits) {
      const a = rememberedOrWalked(resource, analyzer, init);
      m.set(init, a);
      if (a.damaged.length) {
        notices.push({
          kind: 'parse-recovered',
          withheld: true,
          path: init.file,
          line: init.fact.p[0],
          message: `The failure paths of ${init.name} were not checked: ${a.damaged.map((d) => `${d.name} (${d.file}:${String(d.line)})`).join(', ')} does not parse cleanly, and a path through broken code cannot be trusted.`,
        });
      } else if (!a.complete)
        notices.push({
          kind: 'budget',
          withheld: true,
          path: init.file,
          line: init.fact.p[0],
          message: `The path analysis of ${init.name} stopped at its step budget; failure paths beyond it were not checked.`,
        });
      if (a.withheld.length) {
        notices.push({
          kind: 'unresolved',
          withheld: true,
          path: a.withheld[0].jump.file,
          line: a.withheld[0].jump.p[0],
          message: `${plural(a.withheld.length, 'failure path')} of ${init.name} ${a.withheld.length === 1 ? 'leaves' : 'leave'} with ${withArticle(resource.noun)} that no ${resource.release.call} was seen to release, but a call through a function pointer on ${a.withheld.length === 1 ? 'it' : 'them'} may release it, so ${a.withheld.length === 1 ? 'it is' : 'they are'} not reported (first: ${a.withheld[0].jump.file}:${String(a.withheld[0].jump.p[0])}, ${resource.noun} of ${a.withheld[0].site.text}).`,
        });
      } else if (a.unresolvedCalls > 0)
        notices.push({
          kind: 'unresolved',
          path: init.file,
          line: init.fact.p[0],
          message: `${plural(a.unresolvedCalls, 'call site')} through function pointers on the paths of ${init.name} could not be followed; ${withArticle(resource.noun)} released only through ${a.unresolvedCalls === 1 ? 'it' : 'them'} is not seen.`,
        });
    }
    analyses.set(resource.name, m);
    return m;
  };

  const fixes = new FixMaker(program);
  const runRule = (rule: RulePack['rules'][number]): void => {
    switch (rule.kind) {
      case 'call-context':
        drafts.push(...callContext(program, pack, rule));
        break;
      case 'release-on-failure':
        drafts.push(
          ...releaseOnFailure(rule, pack.resources[rule.resource], analysisFor(pack.resources[rule.resource]), fixes),
        );
        break;
      case 'release-in-role':
        drafts.push(
          ...releaseInRole(
            program,
            pack,
            rule,
            analysisFor(pack.resources[rule.resource]),
            analyzerFor(pack.resources[rule.resource]),
            notices,
            roleWalkFor(pack.resources[rule.resource]),
          ),
        );
        break;
      case 'argument-match':
        drafts.push(
          ...argumentMatch(
            program,
            rule,
            pack.resources[rule.resource],
            analysisFor(pack.resources[rule.resource]),
            fixes,
          ),
        );
        break;
      case 'pairing':
        drafts.push(
          ...pairing(program, pack, rule, {
            analysisFor,
            analyzerFor,
            roleWalkFor,
            fixes,
            notices,
            initializeDuties: !withoutInitialize,
          }),
        );
        break;
      case 'constant-argument':
        drafts.push(...constantArgument(program, rule));
        break;
      case 'return-value':
        drafts.push(...returnValue(program, pack, rule));
        break;
      case 'flagged-callback-call':
        drafts.push(...flaggedCallbackCall(program, pack, rule));
        break;
      case 'forbidden-context':
        drafts.push(...forbiddenContext(program, pack, rule));
        break;
      case 'cancel-in-role':
        drafts.push(...cancelInRole(program, pack, rule, notices));
        break;
      case 'lock-balance':
        drafts.push(
          ...lockBalance(
            program,
            pack,
            rule,
            callbackMemo(context, rule.id, () => (identities ??= new FnIdentity(program))),
            lockWalks,
          ),
        );
        break;
    }
  };
  const ruleMs: Record<string, number> = {};
  const lockWalks: LockWalks = { callbacks: 0, notFollowed: 0 };
  for (const rule of pack.rules) {
    if (withoutInitialize && NEEDS_INITIALIZE.has(rule.kind)) continue;
    const t0 = performance.now();
    const parsed0 = onDemandParse.ms;
    runRule(rule);
    // The rule's own time: bodies it was the first to read were parsed, which `ms.bodies` counts.
    ruleMs[rule.id] = Math.round((performance.now() - t0 - (onDemandParse.ms - parsed0)) * 10) / 10;
  }
  notices.push(...damageNotices(program));
  return {
    findings: finalize(drafts),
    notices,
    health: parseHealth(program, functionsThatMatter(program, pack, inits)),
    ...(context.countApis ? { apiCalls: countApiCalls(program, pack) } : {}),
    ruleMs,
    walkSteps: [...analyzers.values()].reduce((n, a) => n + a.walkSteps, 0),
    lockWalks,
  };
}

/** Every API the rule pack names: its acquire and release calls and the calls of context rules. */
function packApis(pack: RulePack): string[] {
  const apis = new Set<string>();
  for (const r of Object.values(pack.resources)) {
    apis.add(r.acquire.call);
    apis.add(r.release.call);
  }
  for (const r of pack.rules) if (r.kind === 'call-context') apis.add(r.call);
  for (const r of pack.rules) for (const api of ruleApis(r)) apis.add(api);
  return [...apis].sort();
}

function countApiCalls(program: Program, pack: RulePack): Record<string, { direct: number; viaMacro: number }> {
  const out: Record<string, { direct: number; viaMacro: number }> = {};
  for (const api of packApis(pack)) {
    const n = { direct: 0, viaMacro: 0 };
    for (const fn of program.functions) {
      if (!program.callsApi(fn, api)) continue;
      for (const site of apiCalls(program, fn, api)) {
        if (site.viaMacro) n.viaMacro++;
        else n.direct++;
      }
    }
    out[api] = n;
  }
  return out;
}

/** What the rules may read: initialize and halt, what they reach, and the callers of the pack's APIs. */
function functionsThatMatter(program: Program, pack: RulePack, inits: FnDef[]): Set<FnDef> {
  const matter = new Set<FnDef>();
  const halts = program.functions.filter((f) => program.rolesOf(f).some((r) => pack.roles.halt.includes(r.role)));
  for (const root of [...inits, ...halts]) for (const f of reachableFrom(program, root)) matter.add(f);
  const apis = packApis(pack);
  for (const fn of program.functions) if (apis.some((a) => program.callsApi(fn, a))) matter.add(fn);
  return matter;
}

/**
 * A file that does not parse cleanly, at its first damaged line: damage outside function bodies, and
 * in the bodies the rules read (a body the file's parse left out and no rule read changed no result).
 * A body nested past the limit gets a note of its own.
 */
function damageNotices(program: Program): Notice[] {
  const bodyLines = new Map<string, number[]>();
  const deep: Notice[] = [];
  for (const fn of program.functions) {
    const d = fn.bodyDamageSeen;
    if (!d) continue;
    if (d.deep) deep.push({ kind: 'parse-recovered', path: fn.file, line: d.line, message: d.deep });
    else bodyLines.set(fn.file, [...(bodyLines.get(fn.file) ?? []), d.line]);
  }
  const out: Notice[] = [];
  for (const [path, f] of program.files) {
    const lines = [...(f.parsed?.damagedLines ?? []), ...(bodyLines.get(path) ?? [])];
    if (!lines.length) continue;
    const first = Math.min(...lines);
    out.push({
      kind: 'parse-recovered',
      path,
      line: first,
      message: `Part of this file does not parse as C (from line ${String(first)}); the intact functions around it were analysed.`,
    });
  }
  return [...deep.sort((a, b) => cmp(a.path ?? '', b.path ?? '') || (a.line ?? 0) - (b.line ?? 0)), ...out];
}

/**
 * Parse health of what the rules may read (`functionsThatMatter`): a body the file's parse left out
 * counts as damaged once a rule has read it and found it so.
 */
function parseHealth(program: Program, matter: Set<FnDef>): ParseHealth {
  // As the file notices count them: syntax damage outside bodies, or in a body a rule read.
  const bodyDamaged = new Set(
    program.functions.filter((f) => f.bodyDamageSeen && !f.bodyDamageSeen.deep).map((f) => f.file),
  );
  let parsedFiles = 0;
  let damagedFiles = 0;
  for (const [path, f] of program.files) {
    if (!f.parsed) continue;
    parsedFiles++;
    if (f.parsed.damagedLines.length || bodyDamaged.has(path)) damagedFiles++;
  }
  const damagedFunctions = [...matter]
    .filter((f) => f.fact.damaged || f.bodyDamageSeen !== undefined)
    .map((f) => ({ name: f.name, path: f.file, line: f.fact.p[0] }))
    .sort((a, b) => cmp(a.path, b.path) || a.line - b.line);
  return { parsedFiles, damagedFiles, functions: matter.size, damagedFunctions };
}

/**
 * The memo of one rule's per-callback findings, or undefined without a memo to keep them in. A key is
 * what the callback's findings are made of: the program's link context (names, declarations, field
 * assignments, macros, types; not positions), the rule, the callback and the evidence of its role
 * (whose line a trace gives), and the contents of the files of every function whose body the walk
 * reads, with where each function is in its file.
 */
function callbackMemo(context: RuleContext, rule: string, identities: () => FnIdentity): CallbackMemo | undefined {
  const { drafts, linkSignature, movedSignature, fileHashes, movedDrafts } = context;
  if (!drafts || !linkSignature || !fileHashes) return undefined;
  // The registration's line is left out: the reports are worded again with the callback's evidence now.
  const movedKeyOf = (signature: string, program: Program, fn: FnDef, reads: FnDef[], evidence: RoleEvidence) => {
    const { line: _line, ...where } = evidence;
    const ids = identities();
    return movedKey(
      program,
      ids,
      signature,
      `lock\u0000${rule}\u0000${ids.of(fn)}\u0000${JSON.stringify(where)}`,
      reads,
    );
  };
  return {
    key: (fn, reads, evidence) =>
      readsKey(
        linkSignature,
        fileHashes,
        `${rule}\u0000${fn.file}:${String(fn.fact.start)}:${String(fn.fact.variant)}\u0000${JSON.stringify(evidence)}`,
        reads,
      ),
    get: (key) => drafts.get(key),
    set: (key, d) => {
      drafts.set(key, d);
    },
    ...(movedDrafts && movedSignature
      ? {
          moved: {
            find: (program, fn, reads, evidence) => {
              const key = movedKeyOf(movedSignature, program, fn, reads, evidence);
              const kept = key === undefined ? undefined : movedDrafts.get(key);
              return kept ? findReports(program, identities(), kept, fn, reads, fileHashes) : undefined;
            },
            keep: (program, fn, reads, evidence, reports, walked) => {
              const key = movedKeyOf(movedSignature, program, fn, reads, evidence);
              const kept =
                key === undefined ? undefined : keepReports(program, identities(), reports, reads, walked, fileHashes);
              if (key !== undefined && kept) movedDrafts.set(key, kept);
            },
          },
        }
      : {}),
  };
}

function analysisKey(context: RuleContext, resource: ResourceDef, walkable: FnDef[], init: FnDef): string | undefined {
  const { fileHashes, linkSignature } = context;
  if (!context.memo || !linkSignature || !fileHashes) return undefined;
  return readsKey(
    linkSignature,
    fileHashes,
    `${resource.name}\u0000${init.file}:${String(init.fact.start)}:${String(init.fact.variant)}`,
    walkable,
  );
}

/**
 * A memo key (path analyses, per-callback findings): the link signature, what is remembered (`head`),
 * and the content hash of the file of each function whose body its making read, with where the
 * function is in its file.
 */
function readsKey(linkSignature: string, fileHashes: Map<string, string>, head: string, reads: FnDef[]): string {
  const h = createHash('sha1').update(`${linkSignature}\u0000${head}`);
  for (const f of reads
    .map((w) => `${w.file}\u0000${fileHashes.get(w.file) ?? '?'}:${String(w.fact.start)}:${String(w.fact.variant)}`)
    .sort())
    h.update(`\u0000${f}`);
  return h.digest('hex');
}
