import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from './app.js';
import { HttpProblem } from './problem.js';

interface LogLine {
  level: number;
  msg: string;
  req?: { path?: string };
  res?: { statusCode?: number };
}

const INFO = 30;
const ERROR = 50;

async function serve(quiet?: (req: { url?: string | undefined }) => boolean) {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app, finish } = createHttpApp({
    logger: pino({ level: 'info' }, sink),
    serviceName: 'test',
    ...(quiet ? { quietRequestLog: quiet } : {}),
  });
  app.get('/internal/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/internal/missing', (_req, _res, next) => {
    next(new HttpProblem(404, 'not_found', 'Not found', 'no such thing'));
  });
  app.get('/internal/broken', () => {
    throw new Error('boom');
  });
  app.get('/public', (_req, res) => {
    res.json({ ok: true });
  });
  finish();
  const server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => (await fetch(`${base}${path}`)).status;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const logged = (path: string) => lines.filter((l) => l.req?.path === path);
  return { get, close, logged };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('request logs', () => {
  it('log every answer at info, and server errors at error, by default', async () => {
    const s = await serve();
    close = s.close;
    expect(await s.get('/internal/ok')).toBe(200);
    expect(await s.get('/internal/broken')).toBe(500);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.logged('/internal/ok').map((l) => l.level)).toEqual([INFO]);
    expect(s.logged('/internal/broken').map((l) => l.level)).toEqual([ERROR]);
  });

  it('keep the quiet routes out of info when they succeed, never when they fail', async () => {
    const s = await serve((req) => req.url?.startsWith('/internal/') === true);
    close = s.close;
    expect(await s.get('/internal/ok')).toBe(200);
    expect(await s.get('/internal/missing')).toBe(404);
    expect(await s.get('/internal/broken')).toBe(500);
    expect(await s.get('/public')).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.logged('/internal/ok')).toEqual([]);
    expect(s.logged('/internal/missing').map((l) => l.level)).toEqual([INFO]);
    expect(s.logged('/internal/broken').map((l) => l.level)).toEqual([ERROR]);
    expect(s.logged('/public').map((l) => l.level)).toEqual([INFO]);
  });
});
