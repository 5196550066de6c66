import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { WebhookRequest } from '../define-partner.js';

const RAW = Symbol('rawBody');

function keepRaw(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  Reflect.set(req, RAW, Buffer.from(buf));
}

/** The request announces a body (as body-parser decides: a transfer encoding or a numeric length). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']))
  );
}

/**
 * JSON, form and text body parsers that also keep the raw bytes (signatures are computed over
 * them). Form bodies keep repeated keys as arrays (`extended: false`). A request without a body
 * (most API reads) skips the three parsers at once, as each of them would.
 */
export function fakeBodyParsers(): RequestHandler[] {
  const parsers: RequestHandler[] = [
    express.json({ verify: keepRaw, type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ extended: false, verify: keepRaw }),
    express.text({ verify: keepRaw, type: 'text/*' }),
  ];
  const parse: RequestHandler = (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    let i = 0;
    const step = (err?: unknown): void => {
      const parser = parsers[i++];
      if (err || !parser) next(err);
      else parser(req, res, step);
    };
    step();
  };
  return [parse];
}

/** The raw request body kept by `fakeBodyParsers` (empty when there was none). */
export function rawBodyOf(req: Request): Buffer {
  const raw: unknown = Reflect.get(req, RAW);
  return Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
}

/** A request our webhook endpoint received, as a declaration's webhook hooks read it (first values, raw body). */
export function webhookRequestOf(req: Request): WebhookRequest {
  const first = (v: unknown): string | undefined =>
    Array.isArray(v) ? first(v[0]) : typeof v === 'string' ? v : undefined;
  return {
    method: req.method,
    query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, first(v)])),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, first(v)])),
    rawBody: rawBodyOf(req),
  };
}

/** The absolute URL the client addressed (for OAuth 1.0a base strings and redirects). */
export function requestUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}${req.originalUrl}`;
}

/** Query and form parameters merged (form wins), first value of each, as strings. */
export function params(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (source: unknown) => {
    if (typeof source !== 'object' || source === null) return;
    for (const [k, v] of Object.entries(source)) {
      const first: unknown = Array.isArray(v) ? v[0] : v;
      if (typeof first === 'string') out[k] = first;
      else if (typeof first === 'number' || typeof first === 'boolean') out[k] = String(first);
    }
  };
  add(req.query);
  if (req.is('application/x-www-form-urlencoded')) add(req.body);
  return out;
}

export interface Listening {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (port 0: any free port); `close` also drops keep-alive connections. */
export async function listen(
  app: Express | ((req: IncomingMessage, res: import('node:http').ServerResponse) => void),
  port = 0,
  host = '127.0.0.1',
): Promise<Listening> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
