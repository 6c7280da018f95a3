/** The corpus manifest (`eval/corpus.json`): which drivers exist and where each one's scan root is. */

import { readFileSync } from 'node:fs';

export interface CorpusDriver {
  id: string;
  /** The scan root inside the repository snapshot; materialized as CORPUS_DIR/<id>/<folder>. */
  folder: string;
  repo: string;
  commit: string;
  ndis?: number;
}

export function parseManifest(value: unknown, source: string): CorpusDriver[] {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  const repositories = (value as { repositories?: unknown }).repositories;
  if (!Array.isArray(repositories)) return fail('repositories must be an array');
  const drivers: CorpusDriver[] = [];
  for (const r of repositories as Record<string, unknown>[]) {
    if (typeof r.repo !== 'string' || typeof r.commit !== 'string' || !Array.isArray(r.drivers)) {
      fail('each repository needs repo, commit and drivers');
    }
    for (const d of r.drivers as Record<string, unknown>[]) {
      if (typeof d.id !== 'string' || typeof d.folder !== 'string')
        fail(`a driver of ${String(r.repo)} needs id and folder`);
      const driver: CorpusDriver = {
        id: d.id as string,
        folder: d.folder as string,
        repo: r.repo as string,
        commit: r.commit as string,
      };
      if (typeof d.ndis === 'number') driver.ndis = d.ndis;
      drivers.push(driver);
    }
  }
  return drivers;
}

export function readManifest(file: string): CorpusDriver[] {
  return parseManifest(JSON.parse(readFileSync(file, 'utf8')), file);
}
