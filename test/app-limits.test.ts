/**
 * The webhook route's limits, on the app as `npm start` runs it (a child
 * process, so its log is read as an operator would): a body over GitHub's
 * 25 MiB cap is refused, an unsigned or wrongly signed body is refused, and
 * nothing of either reaches the log; a signed 1 MiB body is accepted.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_WEBHOOK_BYTES } from '../src/app/guard.js';
import { freePort } from './support/net.js';
import { repoRoot } from './support/paths.js';
import { defined } from '../src/util/defined.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const secret = 'limits-secret';
/** A word that appears only in the bodies sent: finding it in the log means a body was logged. */
const CANARY = 'CANARYc4n4ryCANARY';

let child: ChildProcess;
let port = 0;
let log = '';

before(async () => {
  port = await freePort();
  child = spawn(process.execPath, [join(repoRoot, 'dist/src/app/main.js')], {
    env: {
      PATH: process.env.PATH,
      APP_ID: '123',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: secret,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'debug',
      // Nothing listens there: the app never needs GitHub in these tests.
      GHE_HOST: '127.0.0.1:9',
      GHE_PROTOCOL: 'http',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (b: Buffer) => {
    log += b.toString('latin1');
  };
  defined(child.stdout, 'child.stdout').on('data', collect);
  defined(child.stderr, 'child.stderr').on('data', collect);
  for (let i = 0; i < 200; i++) {
    if (await ping()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the app did not start:\n${log}`);
});

after(() => {
  child.kill('SIGKILL');
});

async function ping(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${String(port)}/ping`)).ok;
  } catch {
    return false;
  }
}

/** POSTs `body` as a webhook (node:http, so an early answer is read while the body is still being sent). */
function post(body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/github/webhooks',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      },
      (res) => {
        answered = res.statusCode ?? 0;
        res.resume();
        resolve(answered);
      },
    );
    let answered: number | undefined;
    // The app answers and closes the connection while the body is still going out: the reset that
    // follows its answer is expected (the answer is read from the socket before or just after it).
    req.on('error', (err) => {
      setTimeout(() => {
        if (answered !== undefined) resolve(answered);
        else reject(err);
      }, 200);
    });
    req.end(body);
  });
}

const sign = (body: Buffer, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
const headers = (event: string, signature?: string): Record<string, string> => ({
  'x-github-event': event,
  'x-github-delivery': `limits-${String(Math.random())}`,
  ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}),
});

/** A JSON body of exactly `bytes` bytes, full of the canary. */
function body(bytes: number): Buffer {
  const head = `{"zen":"`;
  const tail = `","hook_id":1}`;
  const fill = bytes - head.length - tail.length;
  const text = CANARY.repeat(Math.ceil(fill / CANARY.length)).slice(0, fill);
  return Buffer.from(head + text + tail);
}

test('a body of 25 MiB + 1 byte is refused (413) and none of it is logged', async () => {
  const big = body(MAX_WEBHOOK_BYTES + 1);
  assert.equal(big.length, 25 * 1024 * 1024 + 1);
  const status = await post(big, headers('pull_request', 'sha256=00'));
  assert.equal(status, 413);
  assert.ok(await ping(), 'the app still answers');
  assert.ok(!log.includes(CANARY), 'nothing of the body in the log');
  assert.match(log, /webhook refused: body over 26214400 bytes/);
});

test('an unsigned or wrongly signed body is refused (401) and none of it is logged', async () => {
  const small = body(64 * 1024);
  assert.equal(await post(small, headers('ping')), 401);
  assert.equal(await post(small, headers('ping', sign(small, 'not-the-secret'))), 401);
  assert.ok(!log.includes(CANARY));
  assert.ok(log.length < 64 * 1024, `${String(log.length)} bytes of log`);
});

test('a signed body of 1 MiB is accepted', async () => {
  const mib = body(1024 * 1024);
  assert.equal(await post(mib, headers('ping', sign(mib))), 200);
});
