#!/usr/bin/env node
// Checks the Dockerfile without a Docker engine: reads its FROM, WORKDIR, ENV, COPY and RUN lines and
// carries them out in temporary folders, one per stage (a path inside the image, /app or /home/node,
// lands under that stage's folder), then starts the runtime stage's CMD and runs its HEALTHCHECK until
// /ping answers. The commands are the Dockerfile's own: nothing here repeats them.
//
// It runs on the machine's Node (20 here) while the image's base is Node 22; the base image itself,
// USER and EXPOSE are not checked (they need an engine).
//
// Usage: node .ci/dockerfile-steps.mjs [Dockerfile]
import { execSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const context = process.cwd();
const file = resolve(process.argv[2] ?? 'Dockerfile');
const work = mkdtempSync(join(tmpdir(), 'dockerfile-steps-'));

/** Instructions, with continuation lines joined and comments dropped. */
function instructions(text) {
  const out = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim().startsWith('#') || line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    const m = /^\s*(\w+)\s+(.*)$/.exec(current);
    if (m) out.push({ op: m[1].toUpperCase(), arg: m[2].trim() });
    current = '';
  }
  return out;
}

/** `ENV a=1 b="two words"` (and the old `ENV a 1`). */
function envPairs(arg) {
  const pairs = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g;
  let m;
  while ((m = re.exec(arg))) pairs.push([m[1], m[3] ?? m[4] ?? m[5] ?? '']);
  if (pairs.length === 0) {
    const [k, ...v] = arg.split(/\s+/);
    pairs.push([k, v.join(' ')]);
  }
  return pairs;
}

const stages = [];
let stage;
const inImage = (s, p) => join(s.root, p.startsWith('/') ? p : join(s.workdir, p));
const mapValue = (s, v) => (v.startsWith('/') ? join(s.root, v) : v);
const started = performance.now();
const log = (msg) => console.log(`[dockerfile ${((performance.now() - started) / 1000).toFixed(1)} s] ${msg}`);

for (const { op, arg } of instructions(readFileSync(file, 'utf8'))) {
  switch (op) {
    case 'FROM': {
      const name = /\sAS\s+(\S+)/i.exec(arg)?.[1] ?? String(stages.length);
      stage = { name, root: join(work, name), workdir: '/', env: {}, cmd: undefined, health: undefined };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      log(`FROM ${arg} (base not checked: ${process.version} here)`);
      break;
    }
    case 'WORKDIR':
      stage.workdir = arg.startsWith('/') ? arg : join(stage.workdir, arg);
      mkdirSync(join(stage.root, stage.workdir), { recursive: true });
      break;
    case 'ENV':
      for (const [k, v] of envPairs(arg)) stage.env[k] = mapValue(stage, v);
      break;
    case 'COPY': {
      const parts = arg.split(/\s+/);
      const from = parts[0].startsWith('--from=') ? parts.shift().slice('--from='.length) : undefined;
      while (parts[0]?.startsWith('--')) parts.shift();
      const dest = parts.pop();
      const source = from ? stages.find((s) => s.name === from) : undefined;
      if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
      for (const src of parts) {
        const at = source ? join(source.root, src) : join(context, src);
        const to = inImage(stage, dest);
        const target = dest.endsWith('/') ? join(to, src.split('/').pop()) : to;
        mkdirSync(dirname(target), { recursive: true });
        cpSync(at, target, { recursive: true });
      }
      log(`COPY ${arg}`);
      break;
    }
    case 'RUN': {
      const t = performance.now();
      execSync(arg, {
        cwd: join(stage.root, stage.workdir),
        env: { ...process.env, ...stage.env },
        stdio: 'inherit',
        shell: '/bin/bash',
      });
      log(`RUN ${arg} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      break;
    }
    case 'CMD':
      stage.cmd = JSON.parse(arg);
      break;
    case 'HEALTHCHECK':
      stage.health = /CMD\s+(.*)$/.exec(arg)?.[1];
      break;
    default:
      log(`${op} not checked outside Docker`);
  }
}

const runtime = stages.at(-1);
if (!runtime.cmd || !runtime.health) throw new Error('the runtime stage needs CMD (exec form) and HEALTHCHECK CMD');

const port = await new Promise((res) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const p = probe.address().port;
    probe.close(() => res(p));
  });
});
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
// The image's environment, with a throwaway app identity and a free port on loopback.
const env = {
  PATH: process.env.PATH,
  ...runtime.env,
  HOST: '127.0.0.1',
  PORT: String(port),
  APP_ID: '1',
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: 'dockerfile-steps',
  LOG_LEVEL: 'warn',
};
const app = spawn(runtime.cmd[0], runtime.cmd.slice(1), {
  cwd: join(runtime.root, runtime.workdir),
  env,
  stdio: 'inherit',
});
let healthy = false;
for (let i = 0; i < 60 && !healthy && app.exitCode === null; i++) {
  await sleep(500);
  try {
    execSync(runtime.health, { cwd: join(runtime.root, runtime.workdir), env, stdio: 'ignore', shell: '/bin/bash' });
    healthy = true;
  } catch {
    // not up yet
  }
}
app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
rmSync(work, { recursive: true, force: true });
if (!healthy) {
  console.error('the image as built did not answer its HEALTHCHECK (/ping)');
  process.exit(1);
}
log(`CMD ${JSON.stringify(runtime.cmd)} answered its HEALTHCHECK (/ping); stopped with SIGTERM`);
