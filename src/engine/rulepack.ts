/**
 * Loads the rule pack from `rules/` (data a driver expert edits: roles,
 * resources, rule definitions, docs). The engine knows rule kinds, not NDIS
 * names; adding a rule of a known kind is a JSON file and a page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, packageVersion } from '../package.js';
import type { RuleMeta, Severity } from './types.js';
import { asRecord, asString, asStringArray, parseJson } from '../util/json.js';

export { packageRoot };

export interface RoleTable {
  initialize: string[];
  halt: string[];
  roleTypes: Record<string, string>;
  fields: Record<string, string>;
  handoffCalls: Record<string, { arg: number; role: string }>;
  named: Record<string, string>;
  labels: Record<string, string>;
}

export interface ResourceDef {
  name: string;
  noun: string;
  /** How messages speak of it: `held` ("still mapped"), verbs for traces, the length's unit. */
  words: { held: string; acquires: string; releases: string; unit: string };
  /**
   * The handle names the device's registers (`NdisMMapIoSpace`, `NdisMRegisterIoPortRange`): a store or
   * a port write through it, or a wait, may make the device write the memory it shares with the driver
   * (`pathdevice.ts`). A store into shared memory or through any other handle is the driver's own.
   */
  deviceRegisters?: boolean;
  /**
   * What success means (`result`): `status`, the call returns a status, zero on success; `non-null-return`,
   * the call returns the handle, NULL on failure (`handleArg` is then unused); `non-null-out`, the call
   * writes the handle through `handleArg`, NULL on failure; `none`, it cannot fail. On the failed path
   * nothing is held.
   */
  acquire: {
    call: string;
    handleArg: number;
    handleIsOut: boolean;
    lengthArg: number;
    result: 'status' | 'non-null-return' | 'non-null-out' | 'none';
    /**
     * Fields of the storage the handle argument points to that the call sets non-zero exactly when it
     * succeeds (`InterruptObject` of the NDIS 5 `NDIS_MINIPORT_INTERRUPT`, written by the connect): a
     * release guarded by one (`if (A->Interrupt.InterruptObject)`) runs where the acquire succeeded.
     */
    successFields?: string[];
    /**
     * Arguments the call cannot succeed with when zero (the interrupt vector of `NdisMRegisterInterrupt`):
     * where it succeeded they read non-zero, so a release guarded by one (`if (A->Vector)`) runs there.
     */
    nonZeroArgs?: number[];
  };
  /**
   * `argsFromAcquire`: each release argument's position in the acquire call (for fixes).
   * `handleIsOut`: the release is handed the handle's address (`&Adapter->Interrupt`), as the acquire was.
   */
  release: { call: string; handleArg: number; lengthArg: number; argsFromAcquire?: number[]; handleIsOut?: boolean };
}

interface RuleBase extends RuleMeta {
  kind: string;
  /** The Static Driver Verifier rules this rule stands for; absent or empty for ndis-review's own. */
  sdv?: string[];
  /** What to do, the `{advice}` of its messages. */
  advice: string;
  /**
   * Message templates by id, as ESLint's `meta.messages`: `{name}` placeholders
   * filled by the rule kind (see `formatMessage`). A finding carries its id.
   */
  messages: Record<string, string>;
}
export interface CallContextRule extends RuleBase {
  kind: 'call-context';
  call: string;
  allowedRoles: string[];
  /** When set, only these roles are wrong contexts (every other is allowed). */
  forbiddenRoles?: string[];
}
export interface ReleaseOnFailureRule extends RuleBase {
  kind: 'release-on-failure';
  resource: string;
  role: string;
}
export interface ReleaseInRoleRule extends RuleBase {
  kind: 'release-in-role';
  resource: string;
  acquireRole: string;
  releaseRole: string;
}
export interface ArgumentMatchRule extends RuleBase {
  kind: 'argument-match';
  resource: string;
  argument: 'length';
}
/** An argument a release must repeat from its acquire (`NumberOfPorts`), by position in each call. */
export interface PairedArgument {
  name: string;
  acquireArg: number;
  releaseArg: number;
  /** What the value counts, for messages (`ports`, `bytes`). */
  unit: string;
  /** The message a difference is reported with. */
  messageId: string;
}
/**
 * Rule kind `pairing`: one rule id, several duties over one acquire/release
 * pair (and its NDIS 5 form): release on every failure path of initialize
 * (`onFailure`), release by halt (`inHalt`), the same arguments released as
 * acquired (`sameArguments`), and a call kept out of (`forbiddenRoles`) or
 * inside (`allowedRoles`) some callbacks (`context`). Each duty has its own
 * message ids and advice.
 */
export interface PairingRule extends RuleBase {
  kind: 'pairing';
  resources: string[];
  duties: {
    onFailure?: { role: string; advice: string; messageId: string };
    inHalt?: { acquireRole: string; releaseRole: string; advice: string; messageId: string };
    sameArguments?: { arguments: PairedArgument[]; advice: string };
    /**
     * Released on every exit of the function that acquired it (its own call, not a helper's), unless
     * the handle leaves that function: a field, a global, or written through a pointer parameter.
     */
    inOpener?: { advice: string; messageIds: { failing: string; other: string } };
    context?: {
      call: string[];
      allowedRoles?: string[];
      forbiddenRoles?: string[];
      advice: string;
      /** Message ids for the call in a callback, reached from one, reached from an address-taken function. */
      messageIds: { inCallback: string; reachedFromCallback: string; addressTaken: string };
    };
  };
}
/** A constant argument compared with a limit (`NdisStallExecution(100)`, a pool tag of 0). */
export interface ConstantArgumentRule extends RuleBase {
  kind: 'constant-argument';
  calls: { call: string; arg: number; name: string }[];
  compare: '>' | '>=' | '<' | '<=' | '==' | '!=';
  limit: number;
}
/** What a callback of a role may return, on every path. */
export interface ReturnValueRule extends RuleBase {
  kind: 'return-value';
  role: string;
  /** Names of the values allowed, with their integer values (a value is known by name or number). */
  allowed: Record<string, number>;
  /** Names a status is known by (`^NDIS_STATUS_`): a value of such a name is known even without a definition. */
  knownNames: string;
}
/** A call that callbacks given a flag saying the IRQL should not make (KeGetCurrentIrql). */
export interface FlaggedCallbackCallRule extends RuleBase {
  kind: 'flagged-callback-call';
  call: string;
  callbacks: { roleTypes: string[]; fields: string[]; flagsParam: number; flag: string }[];
  /**
   * Calls inside the arguments of calls and macros whose name matches this
   * pattern (case-insensitive: assertions, debug prints, traces) are not
   * counted: they are not in a release build, or do not decide anything.
   */
  ignoreInside: string;
}
/** Calls that may not run in the context of some callbacks (reachability from them). */
export interface ForbiddenContextRule extends RuleBase {
  kind: 'forbidden-context';
  calls: string[];
  forbiddenRoles: string[];
}
/** An object set somewhere that some path through the release roles must cancel or free (timers). */
export interface CancelInRoleRule extends RuleBase {
  kind: 'cancel-in-role';
  /**
   * `byPointer`: the argument is the object's address (`&Adapter->Timer`), not a handle.
   * `periodic` (the call always sets a periodic timer) or `periodArg` (a constant
   * nonzero period there makes it periodic): a one-shot timer may be waited out
   * instead of cancelled, so one is reported only when the roles wait for nothing.
   */
  set: { call: string; arg: number; byPointer?: boolean; periodic?: boolean; periodArg?: number }[];
  cancel: { call: string; arg: number; byPointer?: boolean }[];
  /** Calls by which the roles may wait for a one-shot timer to run out (an event, a sleep). */
  waits: string[];
  roles: string[];
}
/** Locks taken and released in pairs along every path of a callback (NDIS spin locks). */
export interface LockBalanceRule extends RuleBase {
  kind: 'lock-balance';
  acquire: { call: string; dpr: boolean }[];
  release: { call: string; dpr: boolean }[];
}
export type RuleDef =
  | CallContextRule
  | ReleaseOnFailureRule
  | ReleaseInRoleRule
  | ArgumentMatchRule
  | ConstantArgumentRule
  | ReturnValueRule
  | FlaggedCallbackCallRule
  | ForbiddenContextRule
  | CancelInRoleRule
  | LockBalanceRule
  | PairingRule;

/** The APIs a rule names (seeds of what is parsed, and counted in the scan's statistics). */
export function ruleApis(r: RuleDef): string[] {
  switch (r.kind) {
    case 'call-context':
      return [r.call];
    case 'constant-argument':
      return r.calls.map((c) => c.call);
    case 'flagged-callback-call':
      return [r.call];
    case 'forbidden-context':
      return r.calls;
    case 'cancel-in-role':
      return [...r.set, ...r.cancel].map((c) => c.call);
    case 'lock-balance':
      return [...r.acquire, ...r.release].map((c) => c.call);
    case 'pairing':
      return r.duties.context?.call ?? [];
    default:
      return [];
  }
}

export interface RulePack {
  name: string;
  roles: RoleTable;
  /** The resources the pack's rules pair (of an active pack: of the rules that run). */
  resources: Record<string, ResourceDef>;
  /** Every resource of the pack, whether or not a rule that runs pairs it (what the path analysis knows of acquires). */
  allResources?: Record<string, ResourceDef>;
  rules: RuleDef[];
  /**
   * Where the rule pages are published, ending in `/`: a rule's URL is this
   * plus its `docs` path. From `docsBase` in `pack.json`, `{version}` replaced
   * by the package version so links match the rules that ran.
   */
  docsBase: string;
  /** Text that identifies this pack's content (part of cache keys). */
  fingerprint: string;
}

const KINDS = new Set([
  'call-context',
  'release-on-failure',
  'release-in-role',
  'argument-match',
  'constant-argument',
  'return-value',
  'flagged-callback-call',
  'forbidden-context',
  'cancel-in-role',
  'lock-balance',
  'pairing',
]);
const SEVERITIES = new Set<Severity>(['error', 'warning', 'note']);

let cached: RulePack | undefined;

/** resources.json: each resource by name (a string value is a comment). */
type RawResources = Record<string, Omit<ResourceDef, 'name'> | string>;

export function loadRulePack(dir = join(packageRoot, 'rules')): RulePack {
  if (cached && dir === join(packageRoot, 'rules')) return cached;
  const read = (p: string): unknown => {
    const file = join(dir, p);
    try {
      return parseJson(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`rule pack: cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
  };
  const pack = asRecord(read('pack.json'), 'rule pack: pack.json');
  const roles = read(asString(pack.roles, 'rule pack: pack.json: roles')) as RoleTable;
  const resourcesRaw = read(asString(pack.resources, 'rule pack: pack.json: resources')) as RawResources;
  const resources: Record<string, ResourceDef> = {};
  for (const [name, r] of Object.entries(resourcesRaw)) if (typeof r === 'object') resources[name] = { name, ...r };
  const rules: RuleDef[] = asStringArray(pack.rules, 'rule pack: pack.json: rules').map((p) => {
    const r = read(p) as RuleDef;
    if (!KINDS.has(r.kind)) throw new Error(`rule pack: ${p}: unknown rule kind '${r.kind}'`);
    if (!SEVERITIES.has(r.severity)) throw new Error(`rule pack: ${p}: unknown severity '${r.severity}'`);
    if ('resource' in r && !(r.resource in resources))
      throw new Error(`rule pack: ${p}: unknown resource '${r.resource}'`);
    if (r.kind === 'pairing') checkPairing(p, r, resources);
    return r;
  });
  const result: RulePack = {
    name: asString(pack.name, 'rule pack: pack.json: name'),
    roles,
    resources,
    rules,
    docsBase: docsBaseOf(pack.docsBase),
    fingerprint: JSON.stringify([roles, resources, rules]),
  };
  if (dir === join(packageRoot, 'rules')) cached = result;
  return result;
}

/**
 * A rule's message by id with its placeholders filled. An unknown id or a
 * placeholder left unfilled is a rule pack error, thrown (tests run every
 * message of every rule through here).
 */
export function formatMessage(
  rule: { id: string; messages: Record<string, string> },
  id: string,
  data: Record<string, string | number>,
): string {
  const template = rule.messages[id] as string | undefined;
  if (template === undefined) throw new Error(`rule ${rule.id} has no message "${id}"`);
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = data[name] as (typeof data)[string] | undefined;
    if (v === undefined) throw new Error(`rule ${rule.id}, message "${id}": no value for {${name}}`);
    return String(v);
  });
}

export function ruleMeta(r: RuleDef): RuleMeta {
  const meta: RuleMeta = { id: r.id, severity: r.severity, title: r.title, description: r.description, docs: r.docs };
  if (r.sdv?.length) meta.sdv = [...r.sdv];
  if (r.preview === true) meta.preview = true;
  return meta;
}

/** A pairing rule names known resources, at least one duty, and a message for each message id it uses. */
function checkPairing(p: string, r: PairingRule, resources: Record<string, ResourceDef>): void {
  if (!Array.isArray(r.resources) || r.resources.length === 0) throw new Error(`rule pack: ${p}: no resources`);
  for (const name of r.resources)
    if (!(name in resources)) throw new Error(`rule pack: ${p}: unknown resource '${name}'`);
  const d = r.duties;
  const ids = [
    d.onFailure?.messageId,
    d.inHalt?.messageId,
    ...(d.sameArguments?.arguments.map((a) => a.messageId) ?? []),
    ...(d.context ? Object.values(d.context.messageIds) : []),
    ...(d.inOpener ? Object.values(d.inOpener.messageIds) : []),
  ].filter((x): x is string => x !== undefined);
  if (ids.length === 0) throw new Error(`rule pack: ${p}: a pairing rule needs at least one duty`);
  for (const id of ids) if (!(id in r.messages)) throw new Error(`rule pack: ${p}: no message '${id}'`);
}

function docsBaseOf(value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
    throw new Error('rule pack: pack.json: docsBase must be an http(s) URL');
  }
  const base = value.replaceAll('{version}', packageVersion());
  return base.endsWith('/') ? base : `${base}/`;
}

/** The published page of a rule: the pack's `docsBase` plus the rule's `docs` path, each segment URL-encoded. */
export function ruleDocsUrl(docs: string, pack: Pick<RulePack, 'docsBase'> = loadRulePack()): string {
  const path = docs
    .replace(/^\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return pack.docsBase + path;
}

const pages = new Map<string, string | undefined>();

/**
 * A rule's documentation page (Markdown), or undefined when it cannot be
 * read. The one reader of rule pages (CLI, reporters and app alike); pages
 * under the package root are read once per process.
 */
export function readRuleDoc(docs: string, root = packageRoot): string | undefined {
  if (docs === '' || docs.split(/[\\/]/).includes('..')) return undefined;
  const file = join(root, docs);
  if (pages.has(file)) return pages.get(file);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  if (root === packageRoot) pages.set(file, text);
  return text;
}

/** The pages of these rules by rule id; a rule without a readable page is left out. */
export function readRuleDocs(rules: readonly { id: string; docs: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const rule of rules) {
    const text = readRuleDoc(rule.docs);
    if (text !== undefined) out.set(rule.id, text);
  }
  return out;
}

const activePacks = new Map<string, RulePack>();

/** The preview rules among `enabled`, sorted: what makes one active pack differ from another. */
function enabledPreview(pack: RulePack, enabled: readonly string[]): string[] {
  return pack.rules
    .filter((r) => r.preview === true && enabled.includes(r.id))
    .map((r) => r.id)
    .sort();
}

/**
 * The pack a scan runs: every rule but the preview ones, which run only where `enabled` names
 * them (the configuration's rules set to a severity). A preview rule that does not run costs
 * nothing, parses nothing for its APIs and withholds nothing, so it never makes a report
 * incomplete. The fingerprint says which preview rules run, so caches never mix the two.
 */
export function activePack(pack: RulePack, enabled: readonly string[] = []): RulePack {
  const on = enabledPreview(pack, enabled);
  if (!pack.rules.some((r) => r.preview === true && !on.includes(r.id))) return pack;
  const key = `${pack.fingerprint}|${on.join(',')}`;
  const hit = activePacks.get(key);
  if (hit) return hit;
  const rules = pack.rules.filter((r) => r.preview !== true || on.includes(r.id));
  const used = new Set<string>();
  for (const r of rules) {
    if ('resource' in r && typeof r.resource === 'string') used.add(r.resource);
    if ('resources' in r && Array.isArray(r.resources)) for (const x of r.resources) used.add(x);
  }
  const resources = Object.fromEntries(Object.entries(pack.resources).filter(([name]) => used.has(name)));
  const active: RulePack = {
    ...pack,
    rules,
    resources,
    allResources: pack.allResources ?? pack.resources,
    fingerprint: `${pack.fingerprint}|preview:${on.join(',')}`,
  };
  activePacks.set(key, active);
  return active;
}
