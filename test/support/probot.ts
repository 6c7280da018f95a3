/**
 * Probot as the app's tests run it: the production Octokit (AppOctokit),
 * without the retry plugin's back-off, and with Probot's throttling on or
 * truly off. (An options object passed to `Octokit.defaults` is merged
 * shallowly, so Probot's own `throttle` options would replace an
 * `{ enabled: false }` given that way and throttling would stay on: the
 * function form merges it in last.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { Probot } from 'probot';
import { AppOctokit } from '../../src/app/octokit.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export function testProbot(opts: { throttled?: boolean; appId?: number } = {}): Probot {
  const Octokit = AppOctokit.defaults((o: { throttle?: Record<string, unknown> } & Record<string, unknown>) => ({
    ...o,
    retry: { enabled: false },
    throttle: { ...o.throttle, enabled: opts.throttled ?? false },
  }));
  return new Probot({ appId: opts.appId ?? 123, privateKey, Octokit, logLevel: 'fatal' });
}
