/**
 * End to end over real HTTP on loopback: the app started as `npm start`
 * starts it (`start()` in main.ts: Probot's run() with the app's Octokit,
 * throttling and retries on), configured only through Probot's environment
 * (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, HOST, PORT, GHE_HOST, GHE_PROTOCOL),
 * a local stand-in for GitHub Enterprise's API, and webhooks signed with the
 * secret. Reports the webhook-to-completed latency and the requests the
 * stand-in received.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { start } from '../src/app/main.js';
import { repoRoot } from './support/paths.js';
import { pullRequestEvent } from './support/webhooks.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const secret = 'e2e-webhook-secret';
const HEAD = readFileSync(join(repoRoot, '../shared/cases/p02-goto-wrong-label/init.c'));
const BASE = readFileSync(join(repoRoot, '../shared/cases/p01-goto-ladder-ok/init.c'));

interface Call {
  method: string;
  path: string;
  body: unknown;
  at: number;
}
const calls: Call[] = [];
let onCompleted: ((body: unknown) => void) | undefined;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => {
      s += c.toString();
    });
    req.on('end', () => {
      resolve(s);
    });
  });
}

/** The stand-in GitHub: just the routes the app uses, answering as GitHub does. */
async function standIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await body(req);
  const url = new URL(req.url ?? '/', 'http://x');
  const parsed = raw ? (JSON.parse(raw) as { status?: unknown }) : undefined;
  calls.push({ method: req.method ?? '', path: url.pathname, body: parsed, at: performance.now() });
  const json = (status: number, data: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(data));
  };
  const p = url.pathname.replace(/^\/api\/v3/, '');
  if (req.method === 'POST' && p === '/app/installations/2/access_tokens') {
    json(201, { token: 'stand-in-token', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    return;
  }
  if (req.method === 'GET' && p.includes('/contents/')) {
    json(404, { message: 'Not Found' });
    return;
  }
  if (req.method === 'POST' && p === '/repos/o/r/check-runs') {
    json(201, { id: 5 });
    if (parsed?.status === 'completed') onCompleted?.(parsed);
    return;
  }
  // A listing that never answers: the analysis is still running when the app is stopped.
  if (req.method === 'GET' && p === '/repos/o/r/git/trees/stallsha') return;
  if (req.method === 'GET' && p === '/repos/o/r/git/trees/headsha') {
    json(200, { tree: [{ path: 'init.c', type: 'blob', sha: 'b1', size: HEAD.length }], truncated: false });
    return;
  }
  if (req.method === 'GET' && p === '/repos/o/r/git/blobs/b1') {
    json(200, { content: HEAD.toString('base64'), encoding: 'base64' });
    return;
  }
  if (req.method === 'GET' && p === '/repos/o/r/git/trees/basesha') {
    json(200, { tree: [{ path: 'init.c', type: 'blob', sha: 'b0', size: BASE.length }], truncated: false });
    return;
  }
  if (req.method === 'GET' && p === '/repos/o/r/git/blobs/b0') {
    json(200, { content: BASE.toString('base64'), encoding: 'base64' });
    return;
  }
  if (req.method === 'PATCH' && p === '/repos/o/r/check-runs/5') {
    json(200, { id: 5 });
    if (parsed?.status === 'completed') onCompleted?.(parsed);
    return;
  }
  if (req.method === 'GET' && p.startsWith('/repos/o/r/compare/basesha...')) {
    json(200, { merge_base_commit: { sha: 'basesha' } });
    return;
  }
  if (req.method === 'GET' && p === '/repos/o/r/pulls/5/files') {
    json(200, []);
    return;
  }
  if (req.method === 'GET' && p === '/repos/o/r/pulls/5/comments') {
    json(200, []);
    return;
  }
  json(404, { message: `no stand-in for ${String(req.method)} ${p}` });
}
const github: HttpServer = createServer((req, res) => {
  void standIn(req, res);
});

/** A port nothing listens on (Probot's server reads 0 as its default, 3000). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) =>
    probe.close(() => {
      r();
    }),
  );
  return port;
}

let stop: () => Promise<number>;
const stateDir = mkdtempSync(join(tmpdir(), 'ndis-review-e2e-state-'));
const journal = () => JSON.parse(readFileSync(join(stateDir, 'jobs.json'), 'utf8')) as { checkRunId?: number }[];
let appUrl = '';

before(async () => {
  await new Promise<void>((r) => github.listen(0, '127.0.0.1', r));
  const ghPort = (github.address() as AddressInfo).port;
  const port = await freePort();
  ({ stop } = await start({
    APP_ID: '123',
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: String(port),
    // GitHub Enterprise Server at the stand-in: Probot then uses http://HOST/api/v3.
    GHE_HOST: `127.0.0.1:${String(ghPort)}`,
    GHE_PROTOCOL: 'http',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    SHUTDOWN_GRACE_S: '0.3',
    // Within this an analysis is reported in one write (1 s by default; here 5 s, so a loaded machine
    // running the tests side by side does not turn the first, cold analysis into two writes).
    NDIS_REVIEW_COMPLETE_AT_ONCE_MS: '5000',
    NDIS_REVIEW_STATE_DIR: stateDir,
  }));
  appUrl = `http://127.0.0.1:${String(port)}`;
});

after(async () => {
  await stop();
  github.closeAllConnections();
  await new Promise<void>((r) =>
    github.close(() => {
      r();
    }),
  );
});

/** GitHub's example of pull_request.opened, moved to o/r, installation 2, pull request 5. */
const event = JSON.stringify(
  pullRequestEvent('opened', {
    installation: 2,
    owner: 'o',
    repo: 'r',
    number: 5,
    headSha: 'headsha',
    baseSha: 'basesha',
  }).payload,
);
const sign = (payload: string, key: string) => `sha256=${createHmac('sha256', key).update(payload).digest('hex')}`;
const send = (signature: string, payload = event) =>
  fetch(`${appUrl}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': `e2e-${String(Math.random())}`,
      'x-hub-signature-256': signature,
    },
    body: payload,
  });

test('a signed webhook over HTTP ends in a completed check run with its annotation, in one write', async (t) => {
  calls.length = 0;
  const completed = new Promise<{
    conclusion: string;
    output: { annotations: { path: string; start_line: number }[] };
  }>((resolve) => {
    onCompleted = resolve as never;
  });
  const sent = performance.now();
  const res = await send(sign(event, secret));
  const acknowledged = performance.now();
  assert.ok(res.status >= 200 && res.status < 300, `webhook answered ${String(res.status)}`);
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    completed,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error('no completion within 15 s'));
      }, 15_000);
    }),
  ]);
  clearTimeout(timer);
  const finished = performance.now();
  assert.equal(done.conclusion, 'failure', JSON.stringify(done).slice(0, 600));
  assert.deepEqual(
    done.output.annotations.map((a) => `${a.path}:${String(a.start_line)}`),
    ['init.c:63'],
  );
  // The review step follows the completion; wait until the stand-in has had the pull request's comments.
  for (let i = 0; i < 100 && !calls.some((c) => c.path.endsWith('/pulls/5/comments')); i++)
    await new Promise((r) => setTimeout(r, 20));
  const api = calls.filter((c) => !c.path.includes('/access_tokens') && !c.path.includes('/contents/'));
  for (let i = 0; i < 50 && journal().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(journal(), [], 'the finished job is no longer recorded');
  const writes = calls.filter((c) => c.path.includes('/check-runs'));
  assert.deepEqual(
    writes.map((c) => `${c.method} ${String((c.body as { status?: string }).status)}`),
    ['POST completed'],
    'one write: the run created already completed',
  );
  assert.equal(
    api.length,
    8,
    'head listing and blob, pull request files, merge base, base listing and blob, the run created completed, comments (no review: the changed lines hold no finding)',
  );
  t.diagnostic(
    `webhook acknowledged in ${(acknowledged - sent).toFixed(0)} ms; check run created completed ${(finished - sent).toFixed(0)} ms after the webhook`,
  );
  t.diagnostic(
    `GitHub requests: ${String(calls.length)} in all, ${String(api.length)} by the analysis: ${api.map((c) => `${c.method} ${c.path.replace('/api/v3', '')}`).join(', ')}`,
  );
});

test('a webhook with a bad signature is refused and nothing is posted', async () => {
  calls.length = 0;
  const res = await send(sign(event, 'not-the-secret'));
  assert.ok(res.status >= 400 && res.status < 500, `answered ${String(res.status)}`);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(calls, []);
});

test('the badge route is served beside the webhook; a repository without the app is unknown', async () => {
  calls.length = 0;
  const res = await fetch(`${appUrl}/badges/o/r.json`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { schemaVersion: 1, label: 'ndis-review', message: 'unknown', color: '9f9f9f' });
  assert.deepEqual(
    calls.map((c) => `${c.method} ${c.path}`),
    ['GET /api/v3/repos/o/r/installation'],
  );
});

// Last: it stops the app.
test('stopping the app (SIGTERM) cancels a stalled analysis on GitHub instead of leaving it in progress', async () => {
  calls.length = 0;
  const stalled = JSON.stringify(
    pullRequestEvent('synchronize', {
      installation: 2,
      owner: 'o',
      repo: 'r',
      number: 5,
      headSha: 'stallsha',
      baseSha: 'basesha',
    }).payload,
  );
  const res = await send(sign(stalled, secret), stalled);
  assert.ok(res.status >= 200 && res.status < 300);
  assert.equal(journal().length, 1, 'the job was recorded before the webhook was answered');
  // After the moment allowed for one write, without a result, the run is shown in progress.
  for (let i = 0; i < 400 && !calls.some((c) => c.method === 'POST' && c.path.endsWith('/check-runs')); i++)
    await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 100 && journal()[0]?.checkRunId === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(journal()[0]?.checkRunId, 5, 'the job is recorded with its run, for a restart after a crash');
  assert.equal(await stop(), 1, 'one analysis was cancelled after the grace period');
  const writes = calls
    .filter((c) => c.path.includes('/check-runs'))
    .map((c) => c.body as { status: string; conclusion?: string; output?: { title: string } });
  assert.deepEqual(
    writes.map((b) => `${b.status} ${b.conclusion ?? ''} ${b.output?.title ?? ''}`.trim()),
    ['in_progress', 'completed cancelled ndis-review restarted before finishing'],
  );
  assert.equal(journal().length, 1, 'kept: the next start analyses this commit again');
  // The app takes no more webhooks.
  await assert.rejects(send(sign(event, secret)));
});
