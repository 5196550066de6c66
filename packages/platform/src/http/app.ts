import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatZodError } from '@healthsync/contracts';
import express, { type ErrorRequestHandler, type Express as ExpressApp, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Registry as PromRegistry, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { HttpProblem } from './problem.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly serviceName: string;
  /** Max JSON / form body size (default 64kb). */
  readonly bodyLimit?: string;
  /** Checks for `/readyz` (database, broker). */
  readonly readiness?: readonly ReadinessCheck[];
  /** Prometheus registry served at `/metrics` (one is created if absent). */
  readonly metrics?: Registry;
  /** Keep the raw body bytes on `req.rawBody` (webhook signatures are over them). */
  readonly keepRawBody?: boolean;
  /**
   * Requests whose successful answers are logged at debug instead of info (a hot internal route
   * called by other services). Their 4xx are still logged at info and their 5xx at error.
   */
  readonly quietRequestLog?: (req: { url?: string | undefined; method?: string | undefined }) => boolean;
}

declare global {
  namespace Express {
    interface Request {
      id: string;
      rawBody?: Buffer;
    }
  }
}

function sendProblem(res: express.Response, status: number, body: Record<string, unknown>): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ status, ...body }));
}

/**
 * An express app with request ids, pino-http logs, body limits, `/healthz`, `/readyz`, `/metrics`.
 * Call `finish(app)` after mounting routes to add the 404 and RFC 9457 error handlers.
 */
export function createHttpApp(options: HttpAppOptions): {
  app: ExpressApp;
  metrics: Registry;
  finish: () => void;
} {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = options.metrics ?? new PromRegistry();
  if (!options.metrics) collectDefaultMetrics({ register: metrics });

  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    req.id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.id);
    next();
  });
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req) => (req as express.Request).id,
      customLogLevel: (req, res, err) => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'info';
        return options.quietRequestLog?.(req) ? 'debug' : 'info';
      },
      autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          // Query strings can carry OAuth codes and tokens: log the path only.
          path: req.url.split('?')[0],
        }),
      },
    }),
  );
  const limit = options.bodyLimit ?? '64kb';
  const verify = options.keepRawBody
    ? (req: express.Request, _res: unknown, buf: Buffer) => {
        req.rawBody = Buffer.from(buf);
      }
    : undefined;
  app.use(
    express.json({ limit, type: ['application/json', 'application/*+json'], ...(verify ? { verify } : {}) }),
  );
  app.use(express.urlencoded({ limit, extended: false, ...(verify ? { verify } : {}) }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.serviceName });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      (options.readiness ?? []).map(async (c) => {
        try {
          await c.check();
          return { name: c.name, ok: true };
        } catch (e) {
          return { name: c.name, ok: false, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const ok = results.every((r) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  const finish = () => {
    app.use((req, res) => {
      sendProblem(res, 404, {
        type: 'about:blank',
        code: 'not_found',
        title: 'Not found',
        detail: `No route for ${req.method} ${req.path}`,
      });
    });
    app.use(errorHandler(options.logger));
  };
  return { app, metrics, finish };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpProblem) {
      sendProblem(res, err.status, {
        type: 'about:blank',
        code: err.code,
        title: err.title,
        ...(err.detail ? { detail: err.detail } : {}),
        ...err.extra,
        instance: req.id,
      });
      return;
    }
    if (err instanceof z.ZodError) {
      sendProblem(res, 400, {
        type: 'about:blank',
        code: 'invalid_request',
        title: 'Invalid request',
        detail: formatZodError(err),
        instance: req.id,
      });
      return;
    }
    // body-parser errors carry a status and a type (entity.too.large, entity.parse.failed, ...).
    const status =
      typeof err?.status === 'number'
        ? err.status
        : typeof err?.statusCode === 'number'
          ? err.statusCode
          : 500;
    if (status >= 400 && status < 500) {
      const code = err?.type === 'entity.too.large' ? 'payload_too_large' : 'invalid_request';
      sendProblem(res, status, {
        type: 'about:blank',
        code,
        title: status === 413 ? 'Payload too large' : 'Invalid request',
        detail:
          err?.type === 'entity.parse.failed' ? 'Malformed body' : String(err?.message ?? 'Invalid request'),
        instance: req.id,
      });
      return;
    }
    logger.error({ err, requestId: req.id }, 'unhandled error');
    sendProblem(res, 500, {
      type: 'about:blank',
      code: 'internal',
      title: 'Internal error',
      detail: `Reference ${req.id}`,
      instance: req.id,
    });
  };
}

/** Validate with zod and throw a 400 problem listing every issue. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpProblem(
      400,
      'invalid_request',
      'Invalid request',
      `${what}: ${formatZodError(result.error)}`,
    );
  return result.data;
}

/** Wrap an async route so a rejection reaches the error handler (express 5 does this too). */
export const route = (fn: RequestHandler): RequestHandler => fn;

export async function listen(
  app: ExpressApp,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
