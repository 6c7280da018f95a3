/**
 * The fleet (REDIS_URL set): the webhook process verifies and enqueues, on
 * BullMQ; worker processes (`npm run worker`) run the analyses. In Redis:
 * the queue (one job per repository, head and pull request; a newer push
 * supersedes an older job of its pull request), the runs in flight (a dead
 * worker's runs are completed by another), the shared fact cache (a file's
 * facts are made once per fleet) and the badge cache.
 *
 * BullMQ's keys must never be evicted: run Redis with `noeviction`. The
 * caches live in another database (NDIS_REVIEW_CACHE_REDIS_URL, by default
 * REDIS_URL's next database) and keep to their own byte bound and TTL.
 */
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { engineKey } from '../engine/cache.js';
import type { SharedFacts } from './analyze.js';
import type { BadgeCache, CachedBadge } from './badge.js';
import type { InflightRun, JobRecord } from './inflight.js';

export const QUEUE_NAME = 'ndis-review';
const PREFIX = 'ndis-review';

/** A job as queued: the record, its queue key, and its pull request (the group that supersedes). */
export type FleetJob = JobRecord & { key: string; group?: string; jobId: string };

/** A Redis connection as BullMQ needs it (commands wait for a reconnect rather than fail). */
export function redisFrom(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** The cache database: NDIS_REVIEW_CACHE_REDIS_URL, else REDIS_URL with the next database number. */
export function cacheUrl(env: NodeJS.ProcessEnv): string {
  if (env.NDIS_REVIEW_CACHE_REDIS_URL) return env.NDIS_REVIEW_CACHE_REDIS_URL;
  const url = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  url.pathname = `/${String(Number.isFinite(db) ? db + 1 : 1)}`;
  return url.href;
}

/** A BullMQ job ID for a queue key: stable, and free of the `:` BullMQ forbids. */
export function jobIdFor(key: string): string {
  return createHash('sha1').update(key).digest('hex');
}

const groupKey = (group: string) => `${PREFIX}:group:${jobIdFor(group)}`;
export const SUPERSEDE_CHANNEL = `${PREFIX}:supersede`;
const INFLIGHT_KEY = `${PREFIX}:inflight`;

/** The webhook process's side: jobs enqueued durably before the webhook is answered. */
export class FleetQueue {
  readonly queue: Queue;
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = redisFrom(url);
    this.queue = new Queue(QUEUE_NAME, { connection: redisFrom(url) });
  }

  async add(job: JobRecord & { key: string; group?: string }): Promise<void> {
    // A re-run is new work under the same key; anything else with a key already queued or done is the same work.
    const jobId = job.force ? jobIdFor(`${job.key}\n${job.id}`) : jobIdFor(job.key);
    const data: FleetJob = { ...job, jobId };
    if (job.group !== undefined) {
      // The newest job of the pull request, for workers to check; an older one waiting is removed.
      const previous = await this.redis.set(groupKey(job.group), jobId, 'EX', 86_400, 'GET');
      if (previous && previous !== jobId) {
        await this.queue.remove(previous).catch(() => 0);
        await this.redis.publish(SUPERSEDE_CHANNEL, JSON.stringify({ group: job.group, jobId }));
      }
    }
    await this.queue.add('analyse', data, {
      jobId,
      // Done work stands for 10 minutes: the check_suite after a synchronize, a redelivery, add nothing.
      removeOnComplete: { age: 600 },
      removeOnFail: { age: 600 },
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** Whether `jobId` is still the newest job of its pull request. */
export async function isNewest(redis: Redis, job: FleetJob): Promise<boolean> {
  if (job.group === undefined) return true;
  const newest = await redis.get(groupKey(job.group));
  return newest === null || newest === job.jobId;
}

/** Runs in flight, fleet-wide: a worker's runs whose job can no longer complete them are completed by another. */
export class RedisInflight {
  constructor(private readonly redis: Redis) {}
  async add(jobId: string, run: InflightRun): Promise<void> {
    await this.redis.hset(INFLIGHT_KEY, String(run.checkRunId), JSON.stringify({ ...run, jobId }));
  }
  async remove(checkRunId: number): Promise<void> {
    await this.redis.hdel(INFLIGHT_KEY, String(checkRunId));
  }
  async list(): Promise<(InflightRun & { jobId: string })[]> {
    const all = await this.redis.hgetall(INFLIGHT_KEY);
    return Object.values(all).map((v) => JSON.parse(v) as InflightRun & { jobId: string });
  }
}

/**
 * The key of a file's facts (then the blob SHA): the engine's own key, from
 * the package version, the rule pack and the engine's code, so facts made by
 * another engine are never read.
 */
export function engineCacheKey(): string {
  return engineKey();
}

/**
 * Writes one entry and keeps the cache within its byte bound: every entry
 * is listed with its size and time; past the bound (or past its TTL) the
 * oldest go. Atomic, so several workers writing at once keep the books.
 */
const PUT = `
local size = string.len(ARGV[1])
local ttl = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local old = redis.call('HGET', KEYS[3], KEYS[1])
if old then redis.call('DECRBY', KEYS[4], old) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now, KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
local total = redis.call('INCRBY', KEYS[4], size)
local function drop(k)
  local s = redis.call('HGET', KEYS[3], k)
  if s then total = redis.call('DECRBY', KEYS[4], s) end
  redis.call('HDEL', KEYS[3], k)
  redis.call('ZREM', KEYS[2], k)
  redis.call('DEL', k)
end
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - ttl)) do drop(k) end
while total > max do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  drop(oldest[1])
end
return total
`;

export interface RedisFactsOptions {
  /** Bytes the cache may hold (NDIS_REVIEW_SHARED_FACTS_MB, default 512 MiB). */
  maxBytes?: number;
  /** How long an entry is kept after it was written (NDIS_REVIEW_SHARED_FACTS_TTL_H, default 7 days). */
  ttlMs?: number;
}

/** The fleet's fact cache, by engine key and blob SHA. */
export class RedisFacts implements SharedFacts {
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    engineKey: string,
    options: RedisFactsOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.ttlMs = options.ttlMs ?? 7 * 24 * 3600_000;
    this.prefix = `${PREFIX}:facts:${engineKey}:`;
  }

  /**
   * Entries as Redis holds them (v8-serialized): read, not decoded here. The analysis thread decodes
   * only those it does not hold already, so this thread never builds (and copies) their object graphs.
   */
  async load(shas: string[]): Promise<[string, Uint8Array][]> {
    if (shas.length === 0) return [];
    const values = await this.redis.mgetBuffer(...shas.map((s) => this.prefix + s));
    const out: [string, Uint8Array][] = [];
    values.forEach((v, i) => {
      if (v) out.push([shas[i], v]);
    });
    return out;
  }

  /** Entries already serialized (by the analysis thread that made them). */
  async store(fresh: [string, Uint8Array][]): Promise<void> {
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const [sha, value] of fresh) {
      if (value.length > this.maxBytes / 16) continue; // one entry never takes the cache over
      pipeline.eval(
        PUT,
        4,
        this.prefix + sha,
        `${this.prefix}index`,
        `${this.prefix}sizes`,
        `${this.prefix}bytes`,
        Buffer.from(value.buffer, value.byteOffset, value.byteLength),
        this.ttlMs,
        this.maxBytes,
        now,
      );
    }
    await pipeline.exec();
  }

  /** Bytes held, by the cache's own books. */
  async bytes(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}bytes`)) ?? 0);
  }
}

/** The badge cache in Redis, shared by every webhook process; answers kept a day past freshness (for stale serving). */
export function redisBadgeCache(redis: Redis): BadgeCache {
  return {
    get: async (key) => {
      const v = await redis.get(`${PREFIX}:badge:${key}`);
      return v ? (JSON.parse(v) as CachedBadge) : undefined;
    },
    set: async (key, value) => {
      const keepMs = Math.max(1, value.until - Date.now()) + 86_400_000;
      await redis.set(`${PREFIX}:badge:${key}`, JSON.stringify(value), 'PX', keepMs);
    },
  };
}
