/**
 * `npm start`: Probot's server with the app, configured from Probot's standard
 * environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT,
 * HOST, GHE_HOST/GHE_PROTOCOL, LOG_LEVEL). Without APP_ID and a key it starts
 * Probot's setup flow, which registers the app from app.yml.
 *
 * Started through `run(app, { Octokit })` rather than `probot run` so that
 * every client Probot builds carries the app's rate-limit handlers, and so
 * that stopping the process (SIGTERM from Docker or Kubernetes, SIGINT) lets
 * the analyses in hand finish or say on GitHub that they did not, instead of
 * leaving their check runs in progress.
 */
import { Server as HttpServer } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run, type Server } from 'probot';
import { cacheUrl, FleetQueue, redisBadgeCache, redisFrom } from './fleet.js';
import { guardWebhooks } from './guard.js';
import { createApp, type AppInstance } from './index.js';
import { AppOctokit } from './octokit.js';
import { envValue } from '../util/env.js';

/** How long a stopping process lets running analyses finish (seconds; `SHUTDOWN_GRACE_S`). */
const DEFAULT_GRACE_S = 20;

export interface Started {
  server: Server;
  instance: AppInstance;
  /** Stops taking webhooks, then finishes or cancels the analyses in hand; resolves with how many were cancelled. */
  stop: () => Promise<number>;
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  // Jobs are recorded before their webhook is answered: in a folder of the user's by default.
  const stateDir =
    env.NDIS_REVIEW_STATE_DIR === 'off'
      ? ''
      : (envValue(env, 'NDIS_REVIEW_STATE_DIR') ??
        join(envValue(env, 'XDG_STATE_HOME') ?? join(homedir(), '.local', 'state'), 'ndis-review'));
  // The fleet: this process only verifies webhooks and enqueues (jobs are durable in Redis before the answer).
  const fleet = env.REDIS_URL ? new FleetQueue(env.REDIS_URL) : undefined;
  const badgeRedis = env.REDIS_URL ? redisFrom(cacheUrl(env)) : undefined;
  const { app, instance } = createApp(
    { ...env, NDIS_REVIEW_STATE_DIR: stateDir },
    fleet && badgeRedis
      ? { dispatch: (job) => fleet.add(job), badgeCache: redisBadgeCache(badgeRedis), pool: null }
      : {},
  );
  const server = await gated(env, () => run(app, { Octokit: AppOctokit, env }));
  const graceS = Number(env.SHUTDOWN_GRACE_S ?? DEFAULT_GRACE_S);
  const graceMs = Number.isFinite(graceS) && graceS >= 0 ? graceS * 1000 : DEFAULT_GRACE_S * 1000;
  const stop = async () => {
    // No new webhooks (GitHub records the failed delivery, which can be redelivered), then the queue.
    await server.stop();
    const cancelled = await instance.queue.shutdown(graceMs);
    await instance.close();
    await fleet?.close();
    badgeRedis?.disconnect();
    return cancelled;
  };
  return { server, instance, stop };
}

/**
 * Runs `start` (Probot's `run()`) with the webhook gate in front of the
 * HTTP server it creates. Probot keeps its server private and starts
 * listening inside `run()`, so the gate is put in place as `listen` is
 * called: before any request can arrive.
 */
async function gated<T>(env: NodeJS.ProcessEnv, start: () => Promise<T>): Promise<T> {
  const secret = envValue(env, 'WEBHOOK_SECRET');
  const path = (envValue(env, 'WEBHOOK_PATH') ?? '/api/github/webhooks').replace(/\/+$/, '');
  // An own property over the inherited net.Server listen, removed again below (or at the first listen).
  const unpatch = () => Reflect.deleteProperty(HttpServer.prototype, 'listen');
  Object.defineProperty(HttpServer.prototype, 'listen', {
    configurable: true,
    writable: true,
    value: function (this: HttpServer, ...args: unknown[]): unknown {
      unpatch();
      guardWebhooks(this, {
        path,
        secret,
        log: {
          warn: (fields, msg) => {
            console.warn(JSON.stringify({ level: 40, time: Date.now(), ...fields, msg }));
          },
        },
      });
      return Reflect.apply(Reflect.get(HttpServer.prototype, 'listen') as (...a: unknown[]) => unknown, this, args);
    },
  });
  try {
    return await start();
  } finally {
    unpatch();
  }
}

const script = process.argv.at(1);
if (script !== undefined && import.meta.url === pathToFileURL(script).href) {
  start()
    .then(({ stop }) => {
      // Probot's own SIGINT handler exits as soon as the HTTP server closes; ours waits for the queue.
      process.removeAllListeners('SIGINT');
      let stopping = false;
      const onSignal = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.info(
          `${signal}: finishing the analyses in hand (up to ${String(process.env.SHUTDOWN_GRACE_S ?? DEFAULT_GRACE_S)} s)`,
        );
        stop().then(
          (cancelled) => {
            console.info(`stopped${cancelled ? `; ${String(cancelled)} analyses cancelled on GitHub` : ''}`);
            process.exit(0);
          },
          (err: unknown) => {
            console.error(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => {
        onSignal('SIGTERM');
      });
      process.on('SIGINT', () => {
        onSignal('SIGINT');
      });
    })
    .catch((err: unknown) => {
      // Probot's own messages (missing APP_ID, unreadable key) never contain the key.
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    });
}
