/**
 * Loads the rule pack from `rules/` (data a driver expert edits: roles,
 * resources, rule definitions, docs). The engine knows rule kinds, not NDIS
 * names; adding a rule of a known kind is a JSON file and a page.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleMeta, Severity } from './types.js';

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
  acquire: { call: string; handleArg: number; handleIsOut: boolean; lengthArg: number; result: 'status' | 'none' };
  release: { call: string; handleArg: number; lengthArg: number };
}

interface RuleBase extends RuleMeta {
  kind: string;
  /** What to do, appended to each finding's message. */
  advice: string;
}
export interface CallContextRule extends RuleBase {
  kind: 'call-context';
  call: string;
  allowedRoles: string[];
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
export type RuleDef = CallContextRule | ReleaseOnFailureRule | ReleaseInRoleRule | ArgumentMatchRule;

export interface RulePack {
  name: string;
  roles: RoleTable;
  resources: Record<string, ResourceDef>;
  rules: RuleDef[];
  /** Text that identifies this pack's content (part of cache keys). */
  fingerprint: string;
}

/** The package root: where `rules/` and `package.json` live. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const KINDS = new Set(['call-context', 'release-on-failure', 'release-in-role', 'argument-match']);
const SEVERITIES = new Set<Severity>(['error', 'warning', 'note']);

let cached: RulePack | undefined;

export function loadRulePack(dir = join(packageRoot, 'rules')): RulePack {
  if (cached && dir === join(packageRoot, 'rules')) return cached;
  const read = (p: string) => {
    const file = join(dir, p);
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`rule pack: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  const pack = read('pack.json');
  const roles = read(pack.roles) as RoleTable;
  const resourcesRaw = read(pack.resources) as Record<string, Omit<ResourceDef, 'name'> | string>;
  const resources: Record<string, ResourceDef> = {};
  for (const [name, r] of Object.entries(resourcesRaw)) if (typeof r === 'object') resources[name] = { name, ...r };
  const rules: RuleDef[] = (pack.rules as string[]).map((p) => {
    const r = read(p) as RuleDef;
    if (!KINDS.has(r.kind)) throw new Error(`rule pack: ${p}: unknown rule kind '${r.kind}'`);
    if (!SEVERITIES.has(r.severity)) throw new Error(`rule pack: ${p}: unknown severity '${r.severity}'`);
    if ('resource' in r && !resources[r.resource]) throw new Error(`rule pack: ${p}: unknown resource '${r.resource}'`);
    return r;
  });
  const result: RulePack = {
    name: pack.name,
    roles,
    resources,
    rules,
    fingerprint: JSON.stringify([roles, resources, rules]),
  };
  if (dir === join(packageRoot, 'rules')) cached = result;
  return result;
}

export function ruleMeta(r: RuleDef): RuleMeta {
  return { id: r.id, severity: r.severity, title: r.title, description: r.description, docs: r.docs };
}

/** A rule's documentation page (Markdown), or undefined when it cannot be read. */
export function readRuleDoc(docs: string, root = packageRoot): string | undefined {
  if (docs === '' || docs.includes('..')) return undefined;
  try {
    return readFileSync(join(root, docs), 'utf8');
  } catch {
    return undefined;
  }
}
