import type { Response } from 'express';
import type { FakeWithingsUser } from './store.js';

/** A Withings error: HTTP 200 with `{status, body: {}, error}`. */
export class WithingsFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every Withings answer: HTTP 200 with `{status, body}` (and `error` when status is not 0), as
 * JSON with its length; written straight to the response (the fake's answers are never cached,
 * so no entity tag or freshness check).
 */
export const send = (res: Response, status: number, body: unknown, error?: string): void => {
  const json = JSON.stringify({ status, body, ...(error === undefined ? {} : { error }) });
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(res.req.method === 'HEAD' ? undefined : json);
};

export interface ActionContext {
  readonly user: FakeWithingsUser;
  readonly p: Readonly<Record<string, string>>;
  readonly now: number;
}
export type Action = (ctx: ActionContext) => unknown;

/** An integer parameter, or undefined when absent; 503 "Invalid Params" when malformed. */
export function intParam(p: Readonly<Record<string, string>>, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new WithingsFailure(503, `Invalid Params: ${name}`);
  return Number(v);
}
