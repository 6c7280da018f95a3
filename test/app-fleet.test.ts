/**
 * The fleet on a real redis-server: the webhook process (`npm start` with
 * REDIS_URL) only verifies and enqueues, two `npm run worker` processes
 * analyse, with the npm registry unreachable (ioredis and bullmq are
 * installed dependencies, nothing is fetched at run time). Every head gets
 * one completed run; a file's facts are made once and shared through Redis,
 * within the cache's byte bound and with a TTL.
 */
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisFacts, engineCacheKey } from '../src/app/fleet.js';
import type { CacheEntry } from '../src/engine/cache.js';
import { GitHubStandIn } from './support/github.js';
import { sendWebhook, startApp, until, type AppProcess } from './support/app-process.js';
import { repoRoot } from './support/paths.js';
import { startRedis, type RedisServer } from './support/redis.js';
import { pullRequestEvent } from './support/webhooks.js';

const OK = readFileSync(join(repoRoot, '../shared/cases/p01-goto-ladder-ok/init.c'));
const LEAK = readFileSync(join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'));

let redis: RedisServer;
const github = new GitHubStandIn();
const processes: AppProcess[] = [];
/** The registry nobody answers on, and no network for npx: a fleet that fetched a package would fail. */
const offline = {
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_offline: 'true',
  NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '5000',
};

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await github.stop();
  await redis.stop();
});

test('receiver and two workers: every pushed head gets one completed run, with the registry unreachable', async () => {
  const heads = ['h1', 'h2', 'h3', 'h4'];
  github.addRepo('o/r', {
    installation: 2,
    commits: { base: { 'init.c': OK }, ...Object.fromEntries(heads.map((h) => [h, { 'init.c': LEAK }])) },
  });
  const host = await github.start();
  const env = { ...offline, REDIS_URL: redis.url };
  const receiver = await startApp(host, env);
  processes.push(receiver);
  for (let w = 0; w < 2; w++) processes.push(await startApp(host, env, 'dist/src/app/worker.js'));
  for (const [i, h] of heads.entries()) {
    const { payload } = pullRequestEvent('opened', {
      installation: 2,
      owner: 'o',
      repo: 'r',
      number: i + 1,
      headSha: h,
      baseSha: 'base',
    });
    assert.equal((await sendWebhook(receiver.url, 'pull_request', payload, `f-${h}`)).status, 200);
  }
  const done = () => heads.every((h) => github.runsOf('o/r', h).some((r) => r.status === 'completed'));
  assert.ok(await until(done, 60_000), processes.map((p) => p.log()).join('\n---\n'));
  for (const h of heads) {
    const runs = github.runsOf('o/r', h);
    assert.equal(runs.length, 1, `${h}: one run`);
    assert.equal(runs[0].conclusion, 'failure');
  }
  // The receiver made no analysis request: only the workers read sources.
  assert.ok(!receiver.log().includes('analysis complete'));
  // Facts are in the cache database, each with a TTL, and the base's file was stored once.
  const cache = new Redis(`redis://127.0.0.1:${String(redis.port)}/1`);
  try {
    const keys = (await cache.keys('ndis-review:facts:*')).filter((k) => /:[0-9a-f]{40}$/.test(k));
    assert.equal(keys.length, 2, 'two distinct files (head and base) in all: facts made once per fleet');
    for (const k of keys) assert.ok((await cache.pttl(k)) > 0, `${k} has a TTL`);
    const queueDb = new Redis(redis.url);
    assert.deepEqual(await queueDb.keys('ndis-review:facts:*'), [], 'no cache in the queue database');
    assert.equal(((await queueDb.config('GET', 'maxmemory-policy')) as string[])[1], 'noeviction');
    queueDb.disconnect();
  } finally {
    cache.disconnect();
  }
});

test('the shared fact cache keeps to its byte bound, dropping the oldest entries', async () => {
  const client = new Redis(`redis://127.0.0.1:${String(redis.port)}/2`);
  try {
    const facts = new RedisFacts(client, engineCacheKey(), { maxBytes: 64 * 1024 });
    const entry = (i: number) =>
      ({
        lex: { idents: Array.from({ length: 300 }, (_, j) => `n${String(i)}_${String(j)}`) },
      }) as unknown as CacheEntry;
    for (let i = 0; i < 40; i++) await facts.store([[`sha${String(i).padStart(37, '0')}`, serialize(entry(i))]]);
    const bytes = await facts.bytes();
    assert.ok(bytes <= 64 * 1024 && bytes > 32 * 1024, `${String(bytes)} bytes held`);
    const newest = await facts.load([`sha${'39'.padStart(37, '0')}`]);
    const oldest = await facts.load([`sha${'0'.padStart(37, '0')}`]);
    assert.equal(newest.length, 1);
    assert.equal(oldest.length, 0);
  } finally {
    client.disconnect();
  }
});
