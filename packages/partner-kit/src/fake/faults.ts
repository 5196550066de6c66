import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Fault injection for API routes: the next N calls fail with a 5xx, or are rate limited in the
 * partner's own way (Withings answers HTTP 200 with status 601; others 429 + headers).
 */
export interface FaultRenderers {
  serverError?(res: Response, status: number): void;
  rateLimited?(res: Response, retryAfterSeconds: number): void;
}

export interface Faults {
  /** Mount before the API routes to be affected (not before the OAuth router). */
  readonly middleware: RequestHandler;
  failNext(count: number, status?: number): void;
  rateLimitNext(retryAfterSeconds: number, count?: number): void;
  reset(): void;
}

export function createFaults(render: FaultRenderers = {}): Faults {
  const queue: ({ kind: 'error'; status: number } | { kind: 'rate'; retryAfter: number })[] = [];
  const serverError =
    render.serverError ??
    ((res: Response, status: number) =>
      res.status(status).json({ error: 'server_error', message: 'injected failure' }));
  const rateLimited =
    render.rateLimited ??
    ((res: Response, retryAfter: number) =>
      res.status(429).set('retry-after', String(retryAfter)).json({ error: 'rate_limited' }));
  return {
    middleware(_req: Request, res: Response, next: NextFunction) {
      const fault = queue.shift();
      if (!fault) {
        next();
        return;
      }
      if (fault.kind === 'error') serverError(res, fault.status);
      else rateLimited(res, fault.retryAfter);
    },
    failNext(count, status = 503) {
      if (status < 500 || status > 599) throw new RangeError('failNext needs a 5xx status');
      for (let i = 0; i < count; i++) queue.push({ kind: 'error', status });
    },
    rateLimitNext(retryAfterSeconds, count = 1) {
      for (let i = 0; i < count; i++) queue.push({ kind: 'rate', retryAfter: retryAfterSeconds });
    },
    reset() {
      queue.length = 0;
    },
  };
}
