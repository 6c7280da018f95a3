/**
 * A stand-in for GitHub's REST API on loopback, for tests and benches that
 * run the app as `npm start` does (GHE_HOST pointing here): the routes the
 * app uses, answering as GitHub does, with check runs kept as state (so a
 * test can ask "does every head have exactly one completed run?"), an
 * optional latency per response, and hooks to stall a read or leave a
 * create unanswered (a request in flight when the app is killed).
 *
 * The installation a request acts for is known from its token
 * (`tok-<installation>`), so writes can be counted per installation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitBlobSha } from '../../src/app/tarball.js';
import { makeTarGz } from './tar.js';

export interface StandInRepo {
  installation: number;
  /** Commit SHA → path → bytes. */
  commits: Record<string, Record<string, Buffer>>;
}

export interface StandInRun {
  id: number;
  repo: string;
  head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  output?: { title?: string; summary?: string };
  writes: number;
}

export interface StandInCall {
  method: string;
  path: string;
  installation: number | undefined;
  at: number;
}

export interface StandInOptions {
  /** Added before each answer (ms), as a distant API would. */
  latencyMs?: number;
  /** Reads of these commits' trees are never answered (until `release`). */
  stallTrees?: Set<string>;
  /** Creates whose body this returns true for are made but never answered: in flight for ever. */
  holdCreate?: (body: Record<string, unknown>) => boolean;
  /** Commits made on demand (benches with many large heads), when the repository does not list them. */
  commitOf?: (repo: string, sha: string) => Record<string, Buffer> | undefined;
}

export class GitHubStandIn {
  readonly repos = new Map<string, StandInRepo>();
  readonly runs = new Map<number, StandInRun>();
  readonly calls: StandInCall[] = [];
  private nextRun = 1;
  private readonly server: Server;
  private readonly tarballs = new Map<string, Buffer>();
  private readonly listings = new Map<string, string>();
  private readonly blobs = new Map<string, Buffer>();
  port = 0;

  constructor(readonly options: StandInOptions = {}) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  addRepo(fullName: string, repo: StandInRepo): void {
    this.repos.set(fullName, repo);
    for (const files of Object.values(repo.commits))
      for (const b of Object.values(files)) this.blobs.set(gitBlobSha(b), b);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `127.0.0.1:${String(this.port)}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Computes a commit's listing and tarball now (gzip level 1), so that serving them later costs little. */
  prepare(repo: string, sha: string): void {
    const files = this.filesOf(repo, sha);
    if (!files) throw new Error(`no commit ${repo}@${sha}`);
    this.listings.set(`${repo}@${sha}`, this.listing(sha, files));
    const entries = Object.entries(files).map(([p, bytes]) => ({ path: p, bytes }));
    this.tarballs.set(`${repo}@${sha}`, makeTarGz(entries, 'o-r-0000000', 1));
  }

  /** Forgets every run and call (between rounds of a bench). */
  reset(): void {
    this.runs.clear();
    this.calls.length = 0;
  }

  private filesOf(repo: string, sha: string): Record<string, Buffer> | undefined {
    return this.repos.get(repo)?.commits[sha] ?? this.options.commitOf?.(repo, sha);
  }

  private listing(sha: string, files: Record<string, Buffer>): string {
    const tree = Object.entries(files).map(([p, b]) => ({
      path: p,
      mode: '100644',
      type: 'blob',
      sha: gitBlobSha(b),
      size: b.length,
    }));
    return JSON.stringify({ sha, truncated: false, tree });
  }

  /** Check runs of a repository's head commit. */
  runsOf(repo: string, headSha: string): StandInRun[] {
    return [...this.runs.values()].filter((r) => r.repo === repo && r.head_sha === headSha);
  }

  /** Check run writes (creates and updates) per installation, with their times. */
  writes(): StandInCall[] {
    return this.calls.filter((c) => c.path.includes('/check-runs') && c.method !== 'GET');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const token = /^token tok-(\d+)$/.exec(req.headers.authorization ?? '');
    const installation = token ? Number(token[1]) : undefined;
    this.calls.push({ method: req.method ?? '', path, installation, at: performance.now() });
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(data));
    };
    const m = (re: RegExp) => re.exec(path);
    let k: RegExpExecArray | null;
    if (req.method === 'POST' && (k = m(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      json(201, { token: `tok-${k[1]}`, expires_at: new Date(Date.now() + 3600_000).toISOString() });
      return;
    }
    if (req.method === 'GET' && path.includes('/contents/')) {
      json(404, { message: 'Not Found' });
      return;
    }
    k = m(/^\/repos\/([^/]+\/[^/]+)\/(.*)$/);
    const repo = k ? this.repos.get(k[1]) : undefined;
    if (!k || !repo) {
      json(404, { message: `no stand-in for ${String(req.method)} ${path}` });
      return;
    }
    const name = k[1];
    const rest = k[2];
    if (req.method === 'GET' && rest === 'installation') {
      json(200, { id: repo.installation });
      return;
    }
    if (req.method === 'POST' && rest === 'check-runs') {
      const run: StandInRun = {
        id: this.nextRun++,
        repo: name,
        head_sha: String(body.head_sha),
        external_id: typeof body.external_id === 'string' ? body.external_id : null,
        status: typeof body.status === 'string' ? body.status : 'queued',
        conclusion: typeof body.conclusion === 'string' ? body.conclusion : null,
        output: body.output as StandInRun['output'],
        writes: 1,
      };
      this.runs.set(run.id, run);
      if (this.options.holdCreate?.(body)) return; // made, never answered
      json(201, { id: run.id });
      return;
    }
    if (req.method === 'PATCH' && (k = /^check-runs\/(\d+)$/.exec(rest))) {
      const run = this.runs.get(Number(k[1]));
      if (!run) {
        json(404, { message: 'Not Found' });
        return;
      }
      run.writes++;
      if (typeof body.status === 'string') run.status = body.status;
      if (typeof body.conclusion === 'string') run.conclusion = body.conclusion;
      if (body.output) run.output = body.output;
      json(200, { id: run.id });
      return;
    }
    if (req.method === 'GET' && (k = /^commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const list = this.runsOf(name, k[1]);
      json(200, { total_count: list.length, check_runs: list.map((r) => ({ ...r, name: 'ndis-review' })) });
      return;
    }
    if (req.method === 'GET' && (k = /^git\/trees\/([^/]+)$/.exec(rest))) {
      if (this.options.stallTrees?.has(k[1])) return; // never answered
      let listing = this.listings.get(`${name}@${k[1]}`);
      if (listing === undefined) {
        const files = this.filesOf(name, k[1]);
        if (!files) {
          json(404, { message: 'Not Found' });
          return;
        }
        listing = this.listing(k[1], files);
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(listing);
      return;
    }
    if (req.method === 'GET' && (k = /^git\/blobs\/([0-9a-f]+)$/.exec(rest))) {
      const b = this.blobs.get(k[1]);
      if (!b) json(404, { message: 'Not Found' });
      else json(200, { sha: k[1], content: b.toString('base64'), encoding: 'base64', size: b.length });
      return;
    }
    if (req.method === 'GET' && (k = /^tarball\/([^/]+)$/.exec(rest))) {
      const key = `${name}@${k[1]}`;
      let tgz = this.tarballs.get(key);
      if (!tgz) {
        const files = this.filesOf(name, k[1]);
        if (!files) {
          json(404, { message: 'Not Found' });
          return;
        }
        tgz = makeTarGz(Object.entries(files).map(([p, bytes]) => ({ path: p, bytes })));
        this.tarballs.set(key, tgz);
      }
      res.writeHead(200, { 'content-type': 'application/x-gzip' });
      res.end(tgz);
      return;
    }
    if (req.method === 'GET' && (k = /^compare\/([^.]+)\.\.\.(.+)$/.exec(rest))) {
      json(200, { merge_base_commit: { sha: k[1] } });
      return;
    }
    if (req.method === 'GET' && /^pulls\/\d+\/(files|comments)$/.test(rest)) {
      json(200, []);
      return;
    }
    if (req.method === 'POST' && /^pulls\/\d+\/reviews$/.test(rest)) {
      json(200, { id: 1 });
      return;
    }
    json(404, { message: `no stand-in for ${String(req.method)} ${path}` });
  }
}
