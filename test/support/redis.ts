/**
 * A real redis-server (Debian's package) for the fleet's tests and benches,
 * on a free loopback port, no persistence, `noeviction` as the fleet needs.
 * Without redis-server installed this fails, saying how to install it: the
 * Redis tests never skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './net.js';
import { defined } from '../../src/util/defined.js';

export const INSTALL_REDIS = 'apt-get install -y redis-server';

export interface RedisServer {
  url: string;
  port: number;
  pid: number | undefined;
  stop: () => Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(`redis-server is not installed; these tests need it. Install it with: ${INSTALL_REDIS}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  defined(child.stdout, 'child.stdout').on('data', (b: Buffer) => (out += b.toString()));
  for (let i = 0; i < 100 && !out.includes('Ready to accept connections'); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!out.includes('Ready to accept connections')) throw new Error(`redis-server did not start: ${out}`);
  return {
    url: `redis://127.0.0.1:${String(port)}/0`,
    port,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
