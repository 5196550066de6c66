import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { freePort } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from './keep-alive-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  port: number;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    body,
    port: req.socket.remotePort ?? 0,
  });
  const path = (req.url ?? '').split('?')[0];
  if (path === '/json') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-limit': '7' });
    res.end(JSON.stringify({ ok: true, query: req.url?.split('?')[1] ?? '' }));
  } else if (path === '/gzip') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ zipped: true })));
  } else if (path === '/redirect') {
    res.writeHead(302, { location: '/json' });
    res.end();
  } else if (path === '/empty') {
    res.writeHead(204);
    res.end();
  } else if (path === '/slow') {
    setTimeout(() => {
      if (!res.destroyed) res.end('late');
    }, 2_000);
  } else if (path === '/cut') {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.destroy(), 20);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such thing');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('keep-alive fetch', () => {
  it('reuses one connection for calls in sequence and answers like fetch', async () => {
    const f = createKeepAliveFetch();
    const from = seen.length;
    for (let n = 0; n < 3; n++) {
      const res = await f(`${base}/json?n=${n}`, {
        method: 'GET',
        headers: { accept: 'application/json', authorization: 'Bearer t' },
        redirect: 'manual',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-limit')).toBe('7');
      expect(await res.json()).toEqual({ ok: true, query: `n=${n}` });
    }
    const calls = seen.slice(from);
    expect(calls.map((c) => c.headers.authorization)).toEqual(['Bearer t', 'Bearer t', 'Bearer t']);
    expect(new Set(calls.map((c) => c.port)).size).toBe(1);
  });

  it('sends string bodies with their length and fetch’s default content type', async () => {
    const f = createKeepAliveFetch();
    const from = seen.length;
    await f(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=%C3%A9',
      redirect: 'manual',
    });
    await f(`${base}/json`, { method: 'POST', body: '', redirect: 'manual' });
    const [form, empty] = seen.slice(from);
    expect(form?.body).toBe('a=1&b=%C3%A9');
    expect(form?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form?.headers['content-length']).toBe('12');
    expect(empty?.headers['content-length']).toBe('0');
    expect(empty?.headers['content-type']).toBe('text/plain;charset=UTF-8');
  });

  it('decodes gzip, returns redirects and empty answers as they are, errors as statuses', async () => {
    const f = createKeepAliveFetch();
    const zipped = await f(`${base}/gzip`, { method: 'GET', redirect: 'manual' });
    expect(await zipped.json()).toEqual({ zipped: true });
    const redirect = await f(`${base}/redirect`, { method: 'GET', redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/json');
    const empty = await f(`${base}/empty`, { method: 'DELETE', redirect: 'manual' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    const missing = await f(`${base}/missing`, { method: 'GET', redirect: 'manual' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no such thing');
  });

  it('answers a Response whose body reads once, as bytes, a stream or a clone', async () => {
    const f = createKeepAliveFetch();
    const get = () => f(`${base}/json?n=b`, { method: 'GET', redirect: 'manual' });
    const res = await get();
    expect(res).toBeInstanceOf(Response);
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(await res.text()).toBe(JSON.stringify({ ok: true, query: 'n=b' }));
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toBeInstanceOf(TypeError);
    expect(await copy.json()).toEqual({ ok: true, query: 'n=b' });
    const bytes = new Uint8Array(await (await get()).arrayBuffer());
    expect(Buffer.from(bytes).toString()).toBe(JSON.stringify({ ok: true, query: 'n=b' }));
    const streamed = await new Response((await get()).body).json();
    expect(streamed).toEqual({ ok: true, query: 'n=b' });
    expect((await f(`${base}/empty`, { method: 'DELETE', redirect: 'manual' })).body).toBeNull();
  });

  it('rejects with the signal’s TimeoutError, a refused connection and a cut-off body', async () => {
    const f = createKeepAliveFetch();
    await expect(
      f(`${base}/slow`, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(f(`${base}/cut`, { method: 'GET', redirect: 'manual' })).rejects.toBeInstanceOf(Error);
    const port = await freePort();
    await expect(
      f(`http://127.0.0.1:${port}/json`, { method: 'GET', redirect: 'manual' }),
    ).rejects.toBeInstanceOf(Error);
  });

  it('leaves other request shapes to the global fetch (redirects followed)', async () => {
    const f = createKeepAliveFetch();
    const followed = await f(`${base}/redirect`);
    expect(followed.status).toBe(200);
    expect(await followed.json()).toEqual({ ok: true, query: '' });
  });
});
