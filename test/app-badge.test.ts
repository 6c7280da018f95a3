/** Status badges: states, caching, and that private or unknown repositories look the same. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { badgeState, createBadgeHandler, latestConclusion, renderBadgeSvg } from '../src/app/badge.js';
import { resolving } from './support/async.js';

const answers: Record<string, string | undefined | Error> = {
  'o/passing': 'success',
  'o/failing': 'failure',
  'o/private': undefined,
  'o/broken': new Error('HTTP 500 from GitHub'),
};
let lookups = 0;
let clock = 0;
const handler = createBadgeHandler({
  lookup: resolving((owner, repo) => {
    lookups++;
    const a = answers[`${owner}/${repo}`];
    if (a instanceof Error) throw a;
    return a;
  }),
  ttlMs: 1000,
  now: () => clock,
});
let server: Server;
let base = '';
before(async () => {
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end('not a badge');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
after(
  () =>
    new Promise<void>((r) =>
      server.close(() => {
        r();
      }),
    ),
);

test('svg and shields endpoint JSON for a passing and a failing repository', async () => {
  const svg = await fetch(`${base}/badges/o/passing.svg`);
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  assert.match(await svg.text(), /<svg[^>]*aria-label="ndis-review: passing"/);
  const json = await (await fetch(`${base}/badges/o/failing.json`)).json();
  assert.deepEqual(json, { schemaVersion: 1, label: 'ndis-review', message: 'failing', color: 'd73a49' });
});

test('private, uninstalled, failing lookups and invalid names are all the same unknown badge', async () => {
  const bodies = await Promise.all(
    ['o/private', 'o/nothing-here', 'o/broken', 'o/bad%3Cname'].map(async (r) =>
      (await fetch(`${base}/badges/${r}.json`)).text(),
    ),
  );
  for (const b of bodies)
    assert.deepEqual(JSON.parse(b), { schemaVersion: 1, label: 'ndis-review', message: 'unknown', color: '9f9f9f' });
});

test('answers are cached for the time to live', async () => {
  clock = 10_000;
  lookups = 0;
  await fetch(`${base}/badges/o/passing.svg`);
  await fetch(`${base}/badges/O/Passing.json`);
  assert.equal(lookups, 1);
  clock += 1001;
  await fetch(`${base}/badges/o/passing.svg`);
  assert.equal(lookups, 2);
});

test('a lookup that hangs answers unknown after the timeout; a failure is retried sooner than an answer', async () => {
  let calls = 0;
  let now = 0;
  const slow = createBadgeHandler({
    lookup: async (_o, repo) => {
      calls++;
      if (repo === 'hangs')
        return new Promise<string | undefined>(() => {
          // never settles
        });
      throw new Error('HTTP 502');
    },
    ttlMs: 60_000,
    failureTtlMs: 100,
    timeoutMs: 50,
    now: () => now,
  });
  const res = () => {
    const out = { status: 0, body: '' };
    return {
      out,
      res: {
        writeHead: (s: number) => {
          out.status = s;
        },
        end: (b: string) => {
          out.body = b;
        },
      },
    };
  };
  const a = res();
  assert.equal(await slow({ method: 'GET', url: '/badges/o/hangs.json' } as never, a.res as never), true);
  assert.equal((JSON.parse(a.out.body) as { message: string }).message, 'unknown');
  await slow({ method: 'GET', url: '/badges/o/fails.json' } as never, res().res as never);
  await slow({ method: 'GET', url: '/badges/o/fails.json' } as never, res().res as never);
  assert.equal(calls, 2, 'the failure is reused within its short time to live');
  now = 101;
  await slow({ method: 'GET', url: '/badges/o/fails.json' } as never, res().res as never);
  await slow({ method: 'GET', url: '/badges/o/hangs.json' } as never, res().res as never);
  assert.equal(calls, 4, 'after 100 ms both failed lookups are tried again, not after the 60 s of an answer');
});

test('other routes are left to the server', async () => {
  assert.equal((await fetch(`${base}/badges/o/passing.png`)).status, 404);
  assert.equal((await fetch(`${base}/ping`)).status, 404);
});

test('badge text is escaped', () => {
  assert.doesNotMatch(renderBadgeSvg('<x>', badgeState('success')), /<x>/);
  assert.equal(badgeState('cancelled').message, 'unknown');
});

/** A request parameter as the call log shows it: empty when absent. */
const shown = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

test('the lookup asks for the installation, the repository and the latest completed run; a private repository tells nothing', async () => {
  const calls: string[] = [];
  const request = (answersFor: Record<string, unknown>) =>
    resolving((route: string, params: Record<string, unknown>) => {
      calls.push(`${route} ${shown(params.ref)} ${shown(params.app_id)}`.trim());
      return { data: answersFor[route] };
    });
  const appReq = request({ 'GET /repos/{owner}/{repo}/installation': { id: 7 } });
  const pub = request({
    'GET /repos/{owner}/{repo}': { private: false, default_branch: 'main' },
    'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': { check_runs: [{ conclusion: 'failure' }] },
  });
  assert.equal(await latestConclusion(appReq, () => Promise.resolve(pub), 'o', 'r', 'ndis-review', 123), 'failure');
  assert.deepEqual(calls, [
    'GET /repos/{owner}/{repo}/installation',
    'GET /repos/{owner}/{repo}',
    'GET /repos/{owner}/{repo}/commits/{ref}/check-runs main 123',
  ]);
  const priv = request({ 'GET /repos/{owner}/{repo}': { private: true, default_branch: 'main' } });
  assert.equal(await latestConclusion(appReq, () => Promise.resolve(priv), 'o', 'r', 'ndis-review'), undefined);
});

test('lookups are limited per minute: past the limit a new name is unknown, a known one keeps its last answer', async () => {
  let now = 0;
  let calls = 0;
  const limited = createBadgeHandler({
    lookup: resolving(() => {
      calls++;
      return 'success';
    }),
    ttlMs: 1000,
    maxLookupsPerMinute: 2,
    now: () => now,
  });
  const ask = async (repo: string) => {
    let body = '';
    await limited(
      { method: 'GET', url: `/badges/o/${repo}.json` } as never,
      {
        writeHead: () => {
          // the status line is not looked at
        },
        end: (b: string) => {
          body = b;
        },
      } as never,
    );
    return (JSON.parse(body) as { message: string }).message;
  };
  assert.equal(await ask('a'), 'passing');
  assert.equal(await ask('b'), 'passing');
  assert.equal(await ask('c'), 'unknown', 'a third name within the minute');
  now = 5000; // a and b are stale, the minute is not over
  assert.equal(await ask('a'), 'passing', 'the stale answer, not a new lookup');
  assert.equal(calls, 2);
  now = 61_000;
  assert.equal(await ask('c'), 'passing');
  assert.equal(calls, 3);
});
