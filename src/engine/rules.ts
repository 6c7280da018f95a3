/**
 * Runs the rule pack over a linked program. The engine knows rule kinds:
 * call-context (reachability from callback roots), release-on-failure and
 * release-in-role (path analysis of initialize, with helpers stepped into),
 * argument-match (the length released against the length acquired).
 */
import { createHash } from 'node:crypto';
import type { Expr, Pos } from './ast.js';
import { exprText } from './extract.js';
import { KeyMaker, displayKey, sameResource, stripCasts, type TypeEnv } from './keys.js';
import { PathAnalyzer, siteId, type AcquireSite, type InitAnalysis } from './paths.js';
import type { FnDef, Program, RoleEvidence } from './program.js';
import type {
  ArgumentMatchRule,
  CallContextRule,
  ReleaseInRoleRule,
  ReleaseOnFailureRule,
  ResourceDef,
  RulePack,
} from './rulepack.js';
import { FixMaker } from './fixes.js';
import { apiCalls, callSiteOf } from './sites.js';
import type { Finding, Notice, ParseHealth, TraceStep } from './types.js';
import { integerValue } from './values.js';

type Draft = Omit<Finding, 'fingerprint'> & { identity: string[] };

export interface RuleOutput {
  findings: Finding[];
  notices: Notice[];
  health: ParseHealth;
  apiCalls: Record<string, { direct: number; viaMacro: number }>;
}

/**
 * Remembered path analyses. An analysis reads only the functions it can step
 * into and the program's link context (names, macros, types), so its key is
 * those files' contents and that context: an edit in one driver re-walks only
 * that driver's initialize.
 */
export interface AnalysisMemo {
  get(key: string): InitAnalysis | undefined;
  set(key: string, analysis: InitAnalysis): void;
}

export interface RuleContext {
  memo?: AnalysisMemo;
  /** Digest of everything but function bodies that the analyses read. */
  linkSignature?: string;
  /** Content hash of each file, by path. */
  fileHashes?: Map<string, string>;
}

export function runRules(program: Program, pack: RulePack, context: RuleContext = {}): RuleOutput {
  const notices: Notice[] = [];
  const inits = program.functions.filter((f) => program.rolesOf(f).some((r) => pack.roles.initialize.includes(r.role)));
  if (inits.length === 0) {
    notices.push({
      kind: 'not-applicable',
      message: `No initialize callback (${roleLabel(pack, pack.roles.initialize[0])}) was found: the rules do not apply to this repository. If it has one, declare it with its role type, a _Function_class_ annotation or a registration in the characteristics.`,
    });
    return { findings: [], notices, health: parseHealth(program, pack, inits), apiCalls: countApiCalls(program, pack) };
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
      const mayRelease = [...pointerCallable(program, pack)].some((f) => releasing.has(f));
      a = new PathAnalyzer(program, resource, relevant, mayRelease);
      analyzers.set(resource.name, a);
    }
    return a;
  };
  const analysisFor = (resource: ResourceDef): Map<FnDef, InitAnalysis> => {
    let m = analyses.get(resource.name);
    if (m) return m;
    m = new Map();
    const analyzer = analyzerFor(resource);
    for (const init of inits) {
      const key = analysisKey(context, resource, analyzer.walkable(init), init);
      let a = key ? context.memo!.get(key) : undefined;
      if (!a) {
        a = analyzer.analyzeInit(init);
        if (key) context.memo!.set(key, a);
      }
      m.set(init, a);
      if (a.damaged.length) {
        notices.push({
          kind: 'parse-recovered',
          withheld: true,
          path: init.file,
          line: init.fact.p[0],
          message: `The failure paths of ${init.name} were not checked: ${a.damaged.map((d) => `${d.name} (${d.file}:${d.line})`).join(', ')} does not parse cleanly, and a path through broken code cannot be trusted.`,
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
          message: `${a.withheld.length} failure path(s) of ${init.name} leave with a ${resource.noun} that no ${resource.release.call} was seen to release, but a call through a function pointer on them may release it, so they are not reported (first: ${a.withheld[0].jump.file}:${a.withheld[0].jump.p[0]}, ${resource.noun} of ${a.withheld[0].site.text}).`,
        });
      } else if (a.unresolvedCalls > 0)
        notices.push({
          kind: 'unresolved',
          path: init.file,
          line: init.fact.p[0],
          message: `${a.unresolvedCalls} call(s) through function pointers on the paths of ${init.name} could not be followed; a ${resource.noun} released only through them is not seen.`,
        });
    }
    analyses.set(resource.name, m);
    return m;
  };

  const fixes = new FixMaker(program);
  for (const rule of pack.rules) {
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
    }
  }
  for (const [path, f] of program.files) {
    if (f.parsed?.damagedLines.length) {
      notices.push({
        kind: 'parse-recovered',
        path,
        line: f.parsed.damagedLines[0],
        message: `Part of this file does not parse as C (from line ${f.parsed.damagedLines[0]}); the intact functions around it were analysed.`,
      });
    }
  }
  return {
    findings: finalize(drafts),
    notices,
    health: parseHealth(program, pack, inits),
    apiCalls: countApiCalls(program, pack),
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

/** Parse health of what the rules read: initialize and halt, what they reach, and the callers of the pack's APIs. */
function parseHealth(program: Program, pack: RulePack, inits: FnDef[]): ParseHealth {
  const matter = new Set<FnDef>();
  const halts = program.functions.filter((f) => program.rolesOf(f).some((r) => pack.roles.halt.includes(r.role)));
  for (const root of [...inits, ...halts]) for (const f of reachableFrom(program, root)) matter.add(f);
  const apis = packApis(pack);
  for (const fn of program.functions) if (apis.some((a) => program.callsApi(fn, a))) matter.add(fn);
  let parsedFiles = 0;
  let damagedFiles = 0;
  for (const f of program.files.values()) {
    if (!f.parsed) continue;
    parsedFiles++;
    if (f.parsed.damagedLines.length) damagedFiles++;
  }
  const damagedFunctions = [...matter]
    .filter((f) => f.fact.damaged)
    .map((f) => ({ name: f.name, path: f.file, line: f.fact.p[0] }))
    .sort((a, b) => cmp(a.path, b.path) || a.line - b.line);
  return { parsedFiles, damagedFiles, functions: matter.size, damagedFunctions };
}

function analysisKey(context: RuleContext, resource: ResourceDef, walkable: FnDef[], init: FnDef): string | undefined {
  if (!context.memo || !context.linkSignature || !context.fileHashes) return undefined;
  const h = createHash('sha1').update(
    `${context.linkSignature}\u0000${resource.name}\u0000${init.file}:${init.fact.start}:${init.fact.variant}`,
  );
  for (const f of walkable
    .map((w) => `${w.file}\u0000${context.fileHashes!.get(w.file) ?? '?'}:${w.fact.start}:${w.fact.variant}`)
    .sort())
    h.update(`\u0000${f}`);
  return h.digest('hex');
}

/** Functions that call any of `apis`, directly or through other functions, plus the halt callbacks. */
function reaching(program: Program, apis: string[], haltRoles: string[]): Set<FnDef> {
  const callers = new Map<FnDef, FnDef[]>();
  const seeds: FnDef[] = [];
  for (const fn of program.functions) {
    if (apis.some((a) => program.callsApi(fn, a))) seeds.push(fn);
    if (program.rolesOf(fn).some((r) => haltRoles.includes(r.role))) seeds.push(fn);
    for (const edge of program.callees(fn)) {
      const list = callers.get(edge.callee) ?? [];
      list.push(fn);
      callers.set(edge.callee, list);
    }
  }
  const out = new Set<FnDef>(seeds);
  const queue = [...seeds];
  while (queue.length) {
    const f = queue.pop()!;
    for (const c of callers.get(f) ?? [])
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
  }
  return out;
}

/**
 * Functions a call through an unknown pointer of the driver could reach: those whose address is
 * taken, except callbacks whose address only leaves for NDIS (registered in the characteristics,
 * handed to an NDIS call): the driver never reads those pointers back.
 */
function pointerCallable(program: Program, pack: RulePack): Set<FnDef> {
  const out = new Set<FnDef>();
  const roleFields = new Set(Object.keys(pack.roles.fields));
  for (const f of program.addressTakenFunctions()) {
    const roles = program.rolesOf(f);
    if (roles.length === 0 || roles.some((r) => r.role === 'unknown')) out.add(f);
  }
  for (const [path, file] of program.files)
    for (const a of file.parsed?.assigns ?? [])
      if (!roleFields.has(a.field)) for (const f of program.resolve(path, a.value)) out.add(f);
  return out;
}

function roleLabel(pack: RulePack, role: string): string {
  return pack.roles.labels[role] ?? `the ${role} callback`;
}

function evidenceText(ev: RoleEvidence): string {
  switch (ev.how) {
    case 'role-type':
      return `declared ${ev.detail}`;
    case 'function-class':
      return `annotated ${ev.detail}`;
    case 'registration':
      return `registered as ${ev.detail}`;
    case 'handoff':
      return `handed to ${ev.detail}`;
    case 'name':
      return 'it runs when the driver loads, before any adapter is initialized';
    case 'address-taken':
      return 'its address is taken here';
  }
}

function callContext(program: Program, pack: RulePack, rule: CallContextRule): Draft[] {
  const allowed = new Set(rule.allowedRoles);
  const roots: { fn: FnDef; ev: RoleEvidence }[] = [];
  for (const fn of program.functions) {
    const roles = program.rolesOf(fn);
    const bad = roles.find((r) => !allowed.has(r.role));
    if (bad) roots.push({ fn, ev: bad });
  }
  roots.sort((a, b) => cmp(a.fn.file, b.fn.file) || a.fn.fact.p[0] - b.fn.fact.p[0]);
  // Breadth-first from all roots at once: each function keeps its shortest chain.
  const parent = new Map<FnDef, FnDef | null>();
  const rootOf = new Map<FnDef, { fn: FnDef; ev: RoleEvidence }>();
  const queue: FnDef[] = [];
  for (const r of roots)
    if (!parent.has(r.fn)) {
      parent.set(r.fn, null);
      rootOf.set(r.fn, r);
      queue.push(r.fn);
    }
  // A breadth-first walk: the queue grows while it is read (an array iterator sees the new entries).
  for (const f of queue) {
    for (const edge of program.callees(f)) {
      if (parent.has(edge.callee)) continue;
      parent.set(edge.callee, f);
      rootOf.set(edge.callee, rootOf.get(f)!);
      queue.push(edge.callee);
    }
  }
  // Calls through function pointers need no notice here: one that no stored field resolves can only
  // reach functions whose address is taken, and those are callbacks of their own (roots above).
  const drafts: Draft[] = [];
  for (const fn of queue) {
    if (!program.callsApi(fn, rule.call)) continue;
    const root = rootOf.get(fn)!;
    const chain: FnDef[] = [];
    for (let cur: FnDef | null = fn; cur; cur = parent.get(cur) ?? null) chain.unshift(cur);
    const trace: TraceStep[] = [
      {
        path: root.ev.path,
        line: root.ev.line,
        message:
          root.ev.how === 'name'
            ? `${root.fn.name}: ${evidenceText(root.ev)}`
            : `${root.fn.name} is ${roleLabel(pack, root.ev.role)}: ${evidenceText(root.ev)}`,
      },
    ];
    for (let i = 1; i < chain.length; i++) {
      const at = callSiteOf(program, chain[i - 1], chain[i]);
      trace.push({
        path: chain[i - 1].file,
        line: at ? at[0] : chain[i - 1].fact.p[0],
        message: `${chain[i - 1].name} calls ${chain[i].name}`,
      });
    }
    const names = chain.map((c) => c.name).join(' → ');
    const context =
      root.ev.role === 'unknown'
        ? `can run from ${root.fn.name}, whose address is taken (${root.ev.path}:${root.ev.line}) for a caller ndis-review cannot follow, so not only in the context of initialize${chain.length > 1 ? ` (${names})` : ''}`
        : chain.length > 1
          ? `can run in the context of ${roleLabel(pack, root.ev.role)}: ${names}`
          : `is called in ${roleLabel(pack, root.ev.role) === fn.name ? fn.name : `${fn.name}, ${roleLabel(pack, root.ev.role)}`}`;
    for (const site of apiCalls(program, fn, rule.call)) {
      drafts.push({
        rule: rule.id,
        severity: rule.severity,
        path: fn.file,
        ...span(site.p),
        message: `${rule.call} ${context}. ${rule.advice}`,
        trace: [
          ...trace,
          {
            path: fn.file,
            line: site.p[0],
            message: `${fn.name} calls ${rule.call}${site.viaMacro ? ` (through the macro ${site.viaMacro})` : ''}`,
          },
        ],
        docs: rule.docs,
        identity: [rule.id, fn.file, fn.name, exprText(site.call), root.fn.name],
      });
    }
  }
  return drafts;
}

function releaseOnFailure(
  rule: ReleaseOnFailureRule,
  resource: ResourceDef,
  analyses: Map<FnDef, InitAnalysis>,
  fixes: FixMaker,
): Draft[] {
  const held = resource.words.held;
  const byJump = new Map<string, Draft>();
  for (const [init, a] of analyses) {
    for (const leak of a.leaks) {
      const k = `${leak.jump.file}:${leak.jump.p[0]}:${leak.jump.p[1]}`;
      const name = leak.site.text;
      const existing = byJump.get(k);
      if (existing) {
        if (!existing.identity.includes(leak.site.key)) {
          existing.identity.push(leak.site.key);
          // Two mappings leak here: one inserted release would not fix it.
          delete existing.fix;
          existing.message = existing.message.replace(new RegExp(`^(.*?) \\(${held}`), `$1 and ${name} (${held}`);
        }
        continue;
      }
      const trace: TraceStep[] = [
        {
          path: leak.site.file,
          line: leak.site.p[0],
          message: `${leak.site.fn} ${resource.words.acquires} ${name} here`,
        },
      ];
      // The path from the acquisition to the jump, in the order it happens.
      const middle: (TraceStep & { at: number })[] = [];
      const s = leak.success;
      if (s?.text)
        middle.push({
          path: s.file,
          line: s.p[0],
          at: s.at,
          message: `${resource.acquire.call} succeeded (${s.text})`,
        });
      for (const l of leak.loops.slice(0, 3))
        middle.push({ path: l.file, line: l.p[0], at: l.at, message: `next iteration of the loop at line ${l.p[0]}` });
      const f = leak.fork;
      if (f && !(leak.decided && leak.decided.p[0] === f.p[0] && leak.decided.file === f.file))
        middle.push({ path: f.file, line: f.p[0], at: f.at, message: `takes the branch where ${f.text}` });
      const d = leak.decided;
      if (d?.text && d.p[0] > 0 && !(d.file === leak.jump.file && d.p[0] === leak.jump.p[0]))
        middle.push({
          path: d.file,
          line: d.p[0],
          at: d.at,
          message:
            d.how === 'branch'
              ? `${d.text}: ${init.name} can only fail from here`
              : `failure status ${d.text} set here`,
        });
      middle.push({
        path: leak.jump.file,
        line: leak.jump.p[0],
        at: leak.jump.step,
        message: `${leak.jump.kind} with ${name} still ${held}`,
      });
      // In the order the path runs: a helper's goto can come before the caller sets the failure status.
      for (const { at: _at, ...step } of middle.sort((a, b) => a.at - b.at)) trace.push(step);
      if (leak.exit.p[0] !== leak.jump.p[0] || leak.exit.file !== leak.jump.file)
        trace.push({ path: leak.exit.file, line: leak.exit.p[0], message: `${init.name} returns the failure here` });
      // Certain only where every path through this jump fails (an inserted release never runs on success).
      const fix = a.notOnlyFailing.has(k) ? undefined : fixes.releaseBefore(resource, leak.site, leak.jump);
      byJump.set(k, {
        rule: rule.id,
        severity: rule.severity,
        path: leak.jump.file,
        ...span(leak.jump.p),
        ...(fix ? { fix } : {}),
        message: `${name} (${held} at ${leak.site.file}:${leak.site.p[0]}) is still ${held} when ${init.name} fails through this ${leak.jump.kind}: ${rule.advice}`,
        trace,
        docs: rule.docs,
        identity: [rule.id, leak.jump.file, leak.jump.fn, leak.jump.kind, leak.site.key],
      });
    }
  }
  return [...byJump.values()];
}

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

function handleKey(keys: KeyMaker, arg: Expr | undefined, isOut: boolean, env: TypeEnv): string | undefined {
  if (!arg) return undefined;
  const plain = stripCasts(arg);
  if (isOut)
    return plain.t === 'un' && plain.op === '&'
      ? keys.key(plain.e, env)
      : keys.key({ t: 'un', op: '*', e: plain }, env);
  return keys.key(plain, env);
}

function exitOf(
  kept: Map<string, { site: AcquireSite; names: Set<string>; exit?: { file: string; p: Pos } }>,
  id: string,
): { file: string; p: Pos } | undefined {
  return kept.get(id)?.exit;
}

function reachableFrom(program: Program, root: FnDef): FnDef[] {
  const seen = new Set<FnDef>([root]);
  const queue = [root];
  while (queue.length)
    for (const e of program.callees(queue.pop()!))
      if (!seen.has(e.callee)) {
        seen.add(e.callee);
        queue.push(e.callee);
      }
  return [...seen];
}

function releaseInRole(
  program: Program,
  pack: RulePack,
  rule: ReleaseInRoleRule,
  analyses: Map<FnDef, InitAnalysis>,
  analyzer: PathAnalyzer,
  notices: Notice[],
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
    const walks = halts.map((h) => ({ h, w: analyzer.analyzeRole(h, held) }));
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
      const hev = program.rolesOf(halt).find((r) => pack.roles.halt.includes(r.role))!;
      const persistent = [...names].filter(isPersistentKey).map(displayKey);
      const skipped = releaseSitesFrom(program, halts, resource, names);
      drafts.push({
        rule: rule.id,
        severity: rule.severity,
        path: site.file,
        ...span(site.p),
        message: `The ${resource.noun} of ${site.text}${persistent.length ? ` (${persistent.join(', ')})` : ''} made here is kept when ${init.name} succeeds, but no path through the halt callback ${halts.map((h) => h.name).join(' / ')} ${resource.words.releases} it: ${rule.advice}`,
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

/** Names that outlive the function that made them: fields and globals, not locals of one invocation. */
function isPersistentKey(k: string): boolean {
  return !/#\d+:/.test(k);
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
      const k = handleKey(keys, c.call.a[resource.release.handleArg], false, c.env);
      if (k && [...names].some((n) => sameResource(n, k))) out.push({ file: fn.file, line: c.p[0] });
    }
  }
  return out.slice(0, 3);
}

function argumentMatch(
  program: Program,
  rule: ArgumentMatchRule,
  resource: ResourceDef,
  analyses: Map<FnDef, InitAnalysis>,
  fixes: FixMaker,
): Draft[] {
  const w = resource.words;
  const keys = new KeyMaker(program);
  const aliases = new Map<string, Set<string>>();
  for (const a of analyses.values())
    for (const [id, rec] of a.sites) {
      const set = aliases.get(id) ?? new Set<string>();
      for (const n of rec.names) set.add(n);
      aliases.set(id, set);
    }
  interface Acq {
    fn: FnDef;
    p: Pos;
    call: Pos;
    viaMacro?: string;
    names: string[];
    length: Expr;
    env: TypeEnv;
    text: string;
  }
  const acquires: Acq[] = [];
  const releases: {
    fn: FnDef;
    p: Pos;
    call: Pos;
    viaMacro?: string;
    key: string;
    length: Expr;
    env: TypeEnv;
    text: string;
  }[] = [];
  for (const fn of program.functions) {
    if (program.callsApi(fn, resource.acquire.call)) {
      for (const c of apiCalls(program, fn, resource.acquire.call)) {
        const key = handleKey(keys, c.call.a[resource.acquire.handleArg], resource.acquire.handleIsOut, c.env);
        const length = c.call.a[resource.acquire.lengthArg];
        if (!key || !length) continue;
        const id = `${fn.file}:${c.call.p[0]}:${c.call.p[1]}:${key}`;
        acquires.push({
          fn,
          p: c.p,
          call: c.call.p,
          ...(c.viaMacro ? { viaMacro: c.viaMacro } : {}),
          names: [key, ...(aliases.get(id) ?? [])],
          length,
          env: c.env,
          text: exprText(length),
        });
      }
    }
    if (program.callsApi(fn, resource.release.call)) {
      for (const c of apiCalls(program, fn, resource.release.call)) {
        const key = handleKey(keys, c.call.a[resource.release.handleArg], false, c.env);
        const length = c.call.a[resource.release.lengthArg];
        if (!key || !length) continue;
        releases.push({
          fn,
          p: c.p,
          call: c.call.p,
          ...(c.viaMacro ? { viaMacro: c.viaMacro } : {}),
          key,
          length,
          env: c.env,
          text: exprText(stripCasts(c.call.a[resource.release.handleArg])),
        });
      }
    }
  }
  const drafts: Draft[] = [];
  for (const r of releases) {
    const matches = acquires.filter((a) => a.names.some((n) => sameResource(n, r.key)));
    if (!matches.length) continue;
    const rv = integerValue(r.length, program, r.fn.file);
    let differs = true;
    for (const a of matches) {
      const av = integerValue(a.length, program, a.fn.file);
      if (av !== undefined && rv !== undefined) {
        if (av === rv) {
          differs = false;
          break;
        }
        continue;
      }
      // Not both integers: equal only when the same expression; otherwise no verdict.
      differs = false;
      break;
    }
    if (!differs) continue;
    const a = matches[0];
    const av = integerValue(a.length, program, a.fn.file)!;
    const fix = fixes.lengthAt(
      resource,
      { fn: a.fn, p: a.call, ...(a.viaMacro ? { viaMacro: a.viaMacro } : {}) },
      { fn: r.fn, p: r.call, ...(r.viaMacro ? { viaMacro: r.viaMacro } : {}) },
    );
    drafts.push({
      rule: rule.id,
      severity: rule.severity,
      path: r.fn.file,
      ...span(r.p),
      ...(fix ? { fix } : {}),
      message: `${resource.release.call} releases ${exprText(r.length)} (${rv}) ${w.unit} of ${r.text}, but ${a.fn.name} ${w.held} ${a.text} (${av}) ${w.unit}: ${rule.advice}`,
      trace: [
        { path: a.fn.file, line: a.p[0], message: `${a.fn.name} ${w.acquires} ${a.text} = ${av} ${w.unit}` },
        {
          path: r.fn.file,
          line: r.p[0],
          message: `${r.fn.name} ${w.releases} ${exprText(r.length)} = ${rv} ${w.unit}`,
        },
      ],
      docs: rule.docs,
      identity: [rule.id, r.fn.file, r.fn.name, r.key, exprText(r.length)],
    });
  }
  return drafts;
}

function span(p: Pos): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: p[0], column: p[1], endLine: p[2], endColumn: p[3] };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts, removes duplicates (one finding per rule and place) and assigns stable fingerprints. */
function finalize(drafts: Draft[]): Finding[] {
  drafts.sort((a, b) => cmp(a.path, b.path) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule));
  const out: Finding[] = [];
  const seenPlace = new Set<string>();
  const occurrences = new Map<string, number>();
  for (const d of drafts) {
    const place = `${d.rule}|${d.path}|${d.line}|${d.column}`;
    if (seenPlace.has(place)) continue;
    seenPlace.add(place);
    const id = d.identity.join('\u0000');
    const n = occurrences.get(id) ?? 0;
    occurrences.set(id, n + 1);
    const fingerprint = createHash('sha256').update(`${id}\u0000${n}`).digest('hex').slice(0, 32);
    const { identity: _identity, ...rest } = d;
    out.push({ ...rest, fingerprint });
  }
  return out;
}
