/**
 * The app as `npm start` runs it, in a child process (so a test can kill it
 * with SIGKILL and start it again), and signed webhooks sent to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net.js';
import { repoRoot } from './paths.js';

export const WEBHOOK_SECRET = 'stand-in-webhook-secret';
export const { privateKey: PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/**
 * Node's options for `script` as package.json's scripts run it (`node OPTIONS script`): the tests and
 * the load bench start the processes a deployment starts, whatever options those scripts give.
 */
export function nodeOptionsOf(script: string): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  for (const line of Object.values(scripts)) {
    const words = line.split(/\s+/);
    const at = words.indexOf(script);
    if (words[0] === 'node' && at > 0) return words.slice(1, at);
  }
  return [];
}

export interface AppProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed. */
  log: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `script` (default the app's main.js) with Probot's environment pointed at `gheHost`; resolves once /ping answers. */
export async function startApp(
  gheHost: string,
  env: Record<string, string> = {},
  script = 'dist/src/app/main.js',
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptionsOf(script), join(repoRoot, script)], {
    env: {
      PATH: process.env.PATH ?? '',
      APP_ID: '123',
      PRIVATE_KEY,
      WEBHOOK_SECRET,
      HOST: '127.0.0.1',
      PORT: String(port),
      GHE_HOST: gheHost,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${String(port)}`;
  if (script.endsWith('main.js')) {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the app exited:\n${log}`);
      try {
        if ((await fetch(`${url}/ping`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error(`the app did not answer /ping:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, url, log: () => log, exited };
}

/** Sends one signed webhook; resolves with the status and how long the answer took (ms). */
export async function sendWebhook(
  url: string,
  event: string,
  payload: unknown,
  delivery: string,
): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

/** Polls `done` every 50 ms until it holds or `ms` pass; returns whether it held. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return done();
}
