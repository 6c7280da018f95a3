/**
 * What every rule kind shares: the draft finding before it has a
 * fingerprint, positions, the call graph walks, how roles read in messages,
 * and the final sort, de-duplication and fingerprinting.
 */
import { createHash } from 'node:crypto';
import type { Expr, Pos } from '../ast.js';
import { KeyMaker, stripCasts, type TypeEnv } from '../keys.js';
import type { FnDef, Program, RoleEvidence } from '../program.js';
import type { RulePack } from '../rulepack.js';
import type { Finding, TraceStep } from '../types.js';

/** A finding before its fingerprint: `identity` says what makes it the same finding across edits. */
export type Draft = Omit<Finding, 'fingerprint'> & { identity: string[] };

/** Functions that call any of `apis`, directly or through other functions, plus the halt callbacks. */
export function reaching(program: Program, apis: string[], haltRoles: string[]): Set<FnDef> {
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
  for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
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
export function pointerCallable(program: Program, pack: RulePack): ReadonlySet<FnDef> {
  // Asked by the path analysis of each resource and by the lock rule: worked out once per program.
  const known = pointerCallables.get(program);
  if (known?.pack === pack) return known.set;
  const out = new Set<FnDef>();
  const roleFields = new Set(Object.keys(pack.roles.fields));
  for (const f of program.addressTakenFunctions()) {
    const roles = program.rolesOf(f);
    if (roles.length === 0 || roles.some((r) => r.role === 'unknown')) out.add(f);
  }
  for (const [path, file] of program.files)
    for (const a of file.parsed?.assigns ?? [])
      if (!roleFields.has(a.field)) for (const f of program.resolve(path, a.value)) out.add(f);
  pointerCallables.set(program, { pack, set: out });
  return out;
}
const pointerCallables = new WeakMap<Program, { pack: RulePack; set: ReadonlySet<FnDef> }>();

export function roleLabel(pack: RulePack, role: string): string {
  return pack.roles.labels[role] ?? `the ${role} callback`;
}

export function evidenceText(ev: RoleEvidence): string {
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

export function handleKey(keys: KeyMaker, arg: Expr | undefined, isOut: boolean, env: TypeEnv): string | undefined {
  if (!arg) return undefined;
  const plain = stripCasts(arg);
  if (isOut)
    return plain.t === 'un' && plain.op === '&'
      ? keys.key(plain.e, env)
      : keys.key({ t: 'un', op: '*', e: plain }, env);
  return keys.key(plain, env);
}

export function reachableFrom(program: Program, root: FnDef): FnDef[] {
  const seen = new Set<FnDef>([root]);
  const queue = [root];
  for (let f = queue.pop(); f !== undefined; f = queue.pop())
    for (const e of program.callees(f))
      if (!seen.has(e.callee)) {
        seen.add(e.callee);
        queue.push(e.callee);
      }
  return [...seen];
}

/** Names that outlive the function that made them: fields and globals, not locals of one invocation. */
export function isPersistentKey(k: string): boolean {
  return !/#\d+:/.test(k);
}

/**
 * A finding at one call site: what every rule module fills the same way (the rule's id, severity and
 * docs, the call's span) around what the module decided (message, trace, identity).
 */
export function callDraft(
  rule: Pick<Finding, 'severity' | 'docs'> & { id: string },
  fn: FnDef,
  at: Pos,
  found: { messageId: string; message: string; trace: TraceStep[]; identity: string[] },
): Draft {
  return {
    rule: rule.id,
    severity: rule.severity,
    path: fn.file,
    ...span(at),
    message: found.message,
    messageId: found.messageId,
    trace: found.trace,
    docs: rule.docs,
    identity: found.identity,
  };
}

/** The trace step at a call: `F calls X (through the macro M) ...`. */
export function callStep(fn: FnDef, site: { p: Pos; viaMacro?: string }, what: string, after = ''): TraceStep {
  const macro = site.viaMacro ? ` (through the macro ${site.viaMacro})` : '';
  return { path: fn.file, line: site.p[0], message: `${fn.name} ${what}${macro}${after}` };
}

export function span(p: Pos): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: p[0], column: p[1], endLine: p[2], endColumn: p[3] };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts, removes duplicates (one finding per rule and place) and assigns stable fingerprints. */
export function finalize(drafts: Draft[]): Finding[] {
  drafts.sort((a, b) => cmp(a.path, b.path) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule));
  const out: Finding[] = [];
  const seenPlace = new Set<string>();
  const occurrences = new Map<string, number>();
  for (const d of drafts) {
    const place = `${d.rule}|${d.path}|${String(d.line)}|${String(d.column)}`;
    if (seenPlace.has(place)) continue;
    seenPlace.add(place);
    const id = d.identity.join('\u0000');
    const n = occurrences.get(id) ?? 0;
    occurrences.set(id, n + 1);
    const fingerprint = createHash('sha256')
      .update(`${id}\u0000${String(n)}`)
      .digest('hex')
      .slice(0, 32);
    const { identity: _identity, ...rest } = d;
    out.push({ ...rest, fingerprint });
  }
  return out;
}
