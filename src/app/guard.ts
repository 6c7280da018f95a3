/**
 * The webhook route's gate, in front of Probot: a body is read only up to
 * GitHub's own cap (25 MiB), and only a body whose signature verifies is
 * handed on. Probot's middleware logs a refused delivery with its error,
 * and its error carries the payload: a large unsigned body was written to
 * the log in full, twice. Here a refusal is one line (size, event,
 * delivery ID); nothing of an unverified body is ever logged or parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** GitHub caps webhook payloads at 25 MB; anything larger is not GitHub's. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface GuardOptions {
  /** The route Probot serves webhooks on. */
  path: string;
  /** WEBHOOK_SECRET; without it (Probot's setup flow) only the size is checked. */
  secret: string | undefined;
  maxBytes?: number;
  log: { warn: (fields: object, msg: string) => void };
}

/** How long the rest of a refused body is read and dropped before the connection is closed. */
const DRAIN_MS = 10_000;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the gate in front of the server's request listeners (Probot's). Call
 * it before the server listens, so that no request passes ungated.
 */
export function guardWebhooks(server: Server, options: GuardOptions): void {
  const inner = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const pass: Listener = (req, res) => {
    for (const l of inner) l.call(server, req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || pathOf(req.url) !== options.path) {
      pass(req, res);
      return;
    }
    gate(req, res, options, pass);
  });
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function gate(req: IncomingMessage, res: ServerResponse, options: GuardOptions, pass: Listener): void {
  const max = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const about = {
    event: String(req.headers['x-github-event'] ?? '').slice(0, 64),
    delivery: String(req.headers['x-github-delivery'] ?? '').slice(0, 64),
  };
  const refuse = (status: number, error: string, fields: object) => {
    options.log.warn({ ...about, ...fields, status }, `webhook refused: ${error}`);
    // The rest of the body is read and dropped, never buffered, and the answer sent once it is all in
    // (or after a while): a client still sending then reads the answer instead of a reset connection.
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error }));
      }
    };
    const timer = setTimeout(() => {
      answer();
      setTimeout(() => req.destroy(), 100).unref();
    }, DRAIN_MS);
    timer.unref();
    if (req.complete) answer();
    else {
      req.on('end', answer);
      req.resume();
    }
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    refuse(413, `body over ${String(max)} bytes`, { bytes: declared });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > max) {
      refused = true;
      chunks.length = 0;
      refuse(413, `body over ${String(max)} bytes`, { bytes: size });
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    refused = true;
    chunks.length = 0;
  });
  req.on('end', () => {
    if (refused) return;
    const body = Buffer.concat(chunks, size);
    chunks.length = 0;
    if (options.secret !== undefined && !signatureMatches(body, req.headers['x-hub-signature-256'], options.secret)) {
      refuse(401, 'signature does not match', { bytes: size });
      return;
    }
    // @octokit/webhooks' middleware reads a string `body` instead of the stream (already consumed here).
    (req as IncomingMessage & { body?: string }).body = body.toString('utf8');
    pass(req, res);
  });
}

/** `x-hub-signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time. */
export function signatureMatches(body: Uint8Array, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
