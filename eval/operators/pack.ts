/**
 * The acquire/release pairs of the rule pack, read from the pack's own data
 * (`rules/pack.json`, each rule's JSON, `rules/resources.json`), so the
 * pairing operators follow the pack: a resource joins the mutation generator
 * by being a pairing rule's resource, not by a change here.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs as dist/eval/operators/pack.js. */
export const RULES_DIR = fileURLToPath(new URL('../../../rules/', import.meta.url));

export interface PairResource {
  /** The key of `rules/resources.json`. */
  id: string;
  acquire: string;
  /** The argument naming the handle, or -1 for an acquire that returns it (`X = Acquire(...)`). */
  acquireHandleArg: number;
  release: string;
  releaseHandleArg: number;
  /** Rule reporting a failure path of initialize that leaves it held. */
  onFailureRule?: string;
  /** Rule reporting a resource initialize keeps that halt never releases. */
  inHaltRule?: string;
  /** Rule reporting a handle left open by the function that opened it. */
  inOpenerRule?: string;
  /** A rule of kind `pairing` (the pack's new rules), not one of the four mapping rules. */
  pairing: boolean;
}

interface ResourceJson {
  acquire: { call: string; handleArg: number; result: string };
  release: { call: string; handleArg: number };
}

interface RuleJson {
  id: string;
  kind: string;
  resource?: string;
  resources?: string[];
  duties?: Record<string, unknown>;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every resource some rule of the pack pairs, with the rules reporting each duty. */
export function packResources(rulesDir: string = RULES_DIR): PairResource[] {
  const pack = readJson(path.join(rulesDir, 'pack.json')) as { rules: string[]; resources: string };
  const resources = readJson(path.join(rulesDir, pack.resources)) as Record<string, ResourceJson | string>;
  const out = new Map<string, PairResource>();
  const entry = (id: string): PairResource | undefined => {
    const r = resources[id];
    if (typeof r !== 'object') return undefined;
    let e = out.get(id);
    if (!e) {
      e = {
        id,
        acquire: r.acquire.call,
        acquireHandleArg: r.acquire.result === 'non-null-return' ? -1 : r.acquire.handleArg,
        release: r.release.call,
        releaseHandleArg: r.release.handleArg,
        pairing: false,
      };
      out.set(id, e);
    }
    return e;
  };
  for (const file of pack.rules) {
    const rule = readJson(path.join(rulesDir, file)) as RuleJson;
    if (rule.kind === 'release-on-failure' && rule.resource) {
      const e = entry(rule.resource);
      if (e) e.onFailureRule = rule.id;
    } else if (rule.kind === 'release-in-role' && rule.resource) {
      const e = entry(rule.resource);
      if (e) e.inHaltRule = rule.id;
    } else if (rule.kind === 'pairing') {
      for (const id of rule.resources ?? []) {
        const e = entry(id);
        if (!e) continue;
        e.pairing = true;
        if (rule.duties?.onFailure) e.onFailureRule = rule.id;
        if (rule.duties?.inHalt) e.inHaltRule = rule.id;
        if (rule.duties?.inOpener) e.inOpenerRule = rule.id;
      }
    }
  }
  return [...out.values()];
}
