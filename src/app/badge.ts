/**
 * Status badges: `GET /badges/{owner}/{repo}.svg` and a shields.io endpoint
 * `GET /badges/{owner}/{repo}.json`, from the latest completed run of this
 * app on the default branch. A private repository, one without the app, or
 * one that does not exist all get the same "unknown" badge, so the badge
 * reveals nothing. Answers are cached, so a busy README costs few requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';

/** The conclusion of the latest completed run, or undefined when unknown (or not to be told). */
export type ConclusionLookup = (owner: string, repo: string) => Promise<string | undefined>;

interface BadgeState {
  message: string;
  color: string;
}

export function badgeState(conclusion: string | undefined): BadgeState {
  switch (conclusion) {
    case 'success':
      return { message: 'passing', color: '#2ea44f' };
    case 'failure':
      return { message: 'failing', color: '#d73a49' };
    case 'neutral':
      return { message: 'findings', color: '#dbab09' };
    default:
      return { message: 'unknown', color: '#9f9f9f' };
  }
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

/** A flat two-part badge; widths from a per-character estimate of Verdana 11px. */
export function renderBadgeSvg(label: string, state: BadgeState): string {
  const width = (text: string) => Math.round(text.length * 6.5 + 10);
  const lw = width(label);
  const mw = width(state.message);
  const total = lw + mw;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(total)}" height="20" role="img" aria-label="${escapeXml(`${label}: ${state.message}`)}">` +
    `<title>${escapeXml(`${label}: ${state.message}`)}</title>` +
    `<rect width="${String(lw)}" height="20" fill="#555"/><rect x="${String(lw)}" width="${String(mw)}" height="20" fill="${state.color}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${String(lw / 2)}" y="14">${escapeXml(label)}</text><text x="${String(lw + mw / 2)}" y="14">${escapeXml(state.message)}</text></g></svg>`
  );
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const ROUTE = /^\/badges\/([^/]+)\/([^/]+)\.(svg|json)$/;

export interface BadgeOptions {
  lookup: ConclusionLookup;
  /** How long an answer is reused. */
  ttlMs?: number;
  /** How long a failed or timed-out lookup ("unknown") is reused, so GitHub is not asked on every view. */
  failureTtlMs?: number;
  /** Longest wait for a lookup; a slower one answers "unknown" (a README must not hang on a badge). */
  timeoutMs?: number;
  /**
   * Lookups started per minute at most: the route is public, and each new
   * name costs GitHub requests in the app's name. Past it, "unknown".
   */
  maxLookupsPerMinute?: number;
  now?: () => number;
  label?: string;
  /** Where answers are kept (default: in this process; the fleet keeps them in Redis). */
  cache?: BadgeCache;
}

/** A cached answer: the conclusion (null: unknown) and until when it is fresh. */
export interface CachedBadge {
  conclusion: string | null;
  until: number;
}

/** Answers by `owner/repo`; a stale answer is kept a while, to serve past the lookup limit. */
export interface BadgeCache {
  get(key: string): Promise<CachedBadge | undefined>;
  set(key: string, value: CachedBadge): Promise<void>;
}

/** The process's own badge cache: the 10,000 repositories viewed most recently. */
export function memoryBadgeCache(max = 10_000): BadgeCache {
  const entries = new LRUCache<string, CachedBadge>({ max });
  return {
    get: (key) => Promise.resolve(entries.get(key)),
    set: (key, value) => {
      entries.set(key, value);
      return Promise.resolve();
    },
  };
}

/** A handler for Probot's `addHandler`: answers badge routes, passes on everything else. */
export function createBadgeHandler(
  opts: BadgeOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  const failureTtl = opts.failureTtlMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const label = opts.label ?? 'ndis-review';
  const cache = opts.cache ?? memoryBadgeCache();
  /** Lookups under way, so that a burst of views of one badge costs one lookup. */
  const pending = new Map<string, Promise<string | undefined>>();
  const maxPerMinute = opts.maxLookupsPerMinute ?? 120;
  const started: number[] = [];
  const mayLookUp = (): boolean => {
    const t = now();
    while (started.length && started[0] <= t - 60_000) started.shift();
    if (started.length >= maxPerMinute) return false;
    started.push(t);
    return true;
  };
  const lookUp = (owner: string, repo: string, key: string): Promise<string | undefined> => {
    let p = pending.get(key);
    if (!p) {
      // Failures are "unknown" too: a badge never shows an error, and never tells why.
      p = withTimeout(opts.lookup(owner, repo), timeoutMs)
        .then(
          (conclusion) => ({ conclusion: conclusion ?? null, until: now() + ttl }),
          () => ({ conclusion: null, until: now() + failureTtl }),
        )
        .then(async (entry) => {
          // A cache that cannot be written (Redis away) still answers this view.
          await cache.set(key, entry).catch(() => undefined);
          return entry.conclusion ?? undefined;
        });
      pending.set(key, p);
      void p.finally(() => pending.delete(key));
    }
    return p;
  };
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    const m = ROUTE.exec(new URL(req.url ?? '/', 'http://badge').pathname);
    if (!m) return false;
    const [, owner, repo, format] = m;
    let conclusion: string | undefined;
    if (NAME.test(owner) && NAME.test(repo)) {
      const key = `${owner.toLowerCase()}/${repo.toLowerCase()}`;
      const hit = await cache.get(key).catch(() => undefined);
      if (hit && now() <= hit.until) conclusion = hit.conclusion ?? undefined;
      else if (pending.has(key) || mayLookUp()) conclusion = await lookUp(owner, repo, key);
      // Over the lookup limit: a stale answer is served as it is, else unknown.
      else conclusion = hit?.conclusion ?? undefined;
    }
    const state = badgeState(conclusion);
    const headers = { 'cache-control': `public, max-age=${String(Math.round(ttl / 1000))}` };
    if (format === 'svg') {
      res.writeHead(200, { ...headers, 'content-type': 'image/svg+xml; charset=utf-8' });
      res.end(renderBadgeSvg(label, state));
    } else {
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ schemaVersion: 1, label, message: state.message, color: state.color.slice(1) }));
    }
    return true;
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error('badge lookup timed out'));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

type RequestFn = (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;

/**
 * The conclusion of this app's latest completed run on the default branch,
 * through the app's own installation on the repository; undefined for a
 * private repository or one where the app is not installed.
 */
export async function latestConclusion(
  appRequest: RequestFn,
  installationRequest: (installationId: number) => Promise<RequestFn>,
  owner: string,
  repo: string,
  checkName: string,
  /** This app's ID: another app's run of the same name must not colour the badge. */
  appId?: number,
): Promise<string | undefined> {
  const installation = (await appRequest('GET /repos/{owner}/{repo}/installation', { owner, repo })).data as {
    id: number;
  };
  const request = await installationRequest(installation.id);
  const info = (await request('GET /repos/{owner}/{repo}', { owner, repo })).data as {
    private: boolean;
    default_branch: string;
  };
  if (info.private) return undefined;
  const runs = (
    await request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner,
      repo,
      ref: info.default_branch,
      check_name: checkName,
      status: 'completed',
      filter: 'latest',
      per_page: 1,
      ...(appId !== undefined ? { app_id: appId } : {}),
    })
  ).data as { check_runs: { conclusion: string | null }[] };
  return runs.check_runs[0]?.conclusion ?? undefined;
}
