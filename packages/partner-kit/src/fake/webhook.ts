import type { WebhookRequest } from '../define-partner.js';

/**
 * How fakes notify us: POST a body (JSON array for Fitbit, form for Withings...) to a callback
 * URL, with the partner's signature headers, retrying on the partner's schedule (compressed in
 * tests). Every attempt is recorded so tests can assert what was delivered.
 */

export interface WebhookAttempt {
  readonly at: Date;
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
}

export interface WebhookDelivery {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly attempts: WebhookAttempt[];
  ok: boolean;
}

export interface WebhookSenderOptions {
  /** Signature headers over the exact body bytes (Fitbit `X-Fitbit-Signature`...). */
  sign?: (body: Buffer) => Record<string, string>;
  /** Delays before each retry; [] (default): one attempt only. Withings: 10 s, 1 min, 1 h, 4 h. */
  retryDelaysMs?: readonly number[];
  /** A response slower than this is a failure (Fitbit 5 s, Strava 2 s). Default 5 s. */
  timeoutMs?: number;
  /** 2xx by default; Fitbit wants 204. */
  isSuccess?: (status: number) => boolean;
  fetch?: typeof fetch;
}

export interface WebhookMessage {
  body: string | Buffer;
  contentType: string;
  headers?: Readonly<Record<string, string>>;
  method?: 'POST' | 'GET' | 'HEAD';
}

export interface WebhookSender {
  send(url: string, message: WebhookMessage): Promise<WebhookDelivery>;
  readonly deliveries: readonly WebhookDelivery[];
}

export function createWebhookSender(options: WebhookSenderOptions = {}): WebhookSender {
  const deliveries: WebhookDelivery[] = [];
  const doFetch = options.fetch ?? fetch;
  const isSuccess = options.isSuccess ?? ((s: number) => s >= 200 && s < 300);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    deliveries,
    async send(url, message) {
      const bytes = typeof message.body === 'string' ? Buffer.from(message.body) : message.body;
      const headers: Record<string, string> = {
        'content-type': message.contentType,
        ...(options.sign?.(bytes) ?? {}),
        ...(message.headers ?? {}),
      };
      const delivery: WebhookDelivery = {
        url,
        body: bytes.toString('utf8'),
        headers,
        attempts: [],
        ok: false,
      };
      deliveries.push(delivery);
      const delays = [0, ...(options.retryDelaysMs ?? [])];
      for (const delay of delays) {
        if (delay > 0) await sleep(delay);
        const started = Date.now();
        try {
          const method = message.method ?? 'POST';
          const res = await doFetch(url, {
            method,
            headers,
            ...(method === 'POST' ? { body: bytes } : {}),
            redirect: 'manual',
            signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
          });
          await res.arrayBuffer().catch(() => undefined);
          delivery.attempts.push({
            at: new Date(started),
            status: res.status,
            durationMs: Date.now() - started,
          });
          if (isSuccess(res.status)) {
            delivery.ok = true;
            break;
          }
        } catch (e) {
          delivery.attempts.push({
            at: new Date(started),
            error: e instanceof Error ? e.message : String(e),
            durationMs: Date.now() - started,
          });
        }
      }
      return delivery;
    },
  };
}

/** A JSON notification as a partner POSTs it (for `FakeControls.notification`), with its signature headers. */
export function jsonNotification(
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): WebhookRequest {
  return {
    method: 'POST',
    query: {},
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  };
}
