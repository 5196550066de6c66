import { randomBytes } from 'node:crypto';
import {
  createPartnerFake,
  createWebhookSender,
  type FakeHandle,
  FixedWindowLimiter,
  jsonNotification,
  type PartnerFakeOptions,
  type WebhookDelivery,
} from '@healthsync/partner-kit/fake';
import type { Response } from 'express';
import { movesSignature } from '../partner.js';
import { movesApi } from './api.js';
import { createMovesData, type MovesFakeData, type MovesFakeDay, putDay, seedUser } from './store.js';

export type { MovesFakeActivity, MovesFakeData, MovesFakeDay, MovesFakeSegment } from './store.js';
export { addDays, dayAt, movesTime } from './store.js';

export interface MovesFakeOptions extends PartnerFakeOptions {
  /** Give every user 30 days of demo storyline on first use (default true). */
  demoData?: boolean;
  /** Per-app limits (default 60 per minute and 2000 per hour, as for an unpublished app). */
  minuteLimit?: number;
  hourLimit?: number;
}

export interface StorylineUpdate {
  reason: string;
  startTime: string;
  endTime: string;
  lastSegmentType?: string;
  lastSegmentStartTime?: string;
}

export interface MovesFakeHandle extends FakeHandle {
  /** The partner-side data, for tests that plant or inspect days. */
  readonly data: MovesFakeData;
  /** Store or replace a user's day (updated now, for `updatedSince`). */
  putDay(userId: string, day: MovesFakeDay): void;
  /** POST a signed storyline notification for this user to a callback URL (one attempt, no retry). */
  notify(url: string, userId: string, updates?: StorylineUpdate[]): Promise<WebhookDelivery>;
}

/**
 * A Moves fake on 127.0.0.1: OAuth 2.0 at `/oauth/v1/*` (scopes `activity location`, client
 * credentials in query or body, ~6-month access tokens, rotating refresh tokens), the API at
 * `/api/1.1`, per-app rate limits with `X-RateLimit-*` headers and 429, signed notifications.
 */
export async function startFake(options: MovesFakeOptions = {}): Promise<MovesFakeHandle> {
  const fake = createPartnerFake({
    partner: 'moves',
    options,
    client: { id: 'moves-client', secret: 'moves-secret' },
    newUserId: (n) => String(2_313_831_164_003 + n),
    faults: {
      serverError: (res, status) => void res.status(status).type('text/plain').send('Internal Server Error'),
      rateLimited: (res) => {
        quotaHeaders(res, 'minute');
        res.status(429).type('text/plain').send('Too Many Requests');
      },
    },
    demo: {
      // Demo history for users the test did not plant data for.
      plant: (userId, random) => {
        if (!data.profiles.has(userId)) seedUser(data, userId, random, clock.now());
      },
      enabled: options.demoData !== false,
      lazy: true,
    },
  });
  const { clock, clientSecret } = fake;
  // https://dev.moves-app.com/docs/authentication
  fake.oauth2({
    authorizePath: '/oauth/v1/authorize',
    tokenPath: '/oauth/v1/access_token',
    clientAuth: 'body',
    pkce: 'none',
    codeTtlSeconds: 300,
    accessTokenTtlSeconds: 180 * 86_400,
    refresh: 'rotating',
    scopeSeparator: ' ',
    defaultScopes: ['activity'],
    tokenFields: (userId) => ({ user_id: Number(userId) }),
    allowQueryToken: true,
  });

  const data = createMovesData(clock);
  const minute = new FixedWindowLimiter({ limit: options.minuteLimit ?? 60, windowSeconds: 60, clock });
  const hour = new FixedWindowLimiter({ limit: options.hourLimit ?? 2000, windowSeconds: 3600, clock });
  /** https://dev.moves-app.com/docs/api (rate limits): every API answer carries the app's quota. */
  const quotaHeaders = (res: Response, spent?: 'minute' | 'hour') => {
    const [m, h] = [minute.peek('app'), hour.peek('app')];
    res.set({
      'X-RateLimit-MinuteLimit': String(m.limit),
      'X-RateLimit-MinuteRemaining': String(spent === 'minute' ? 0 : m.remaining),
      'X-RateLimit-HourLimit': String(h.limit),
      'X-RateLimit-HourRemaining': String(spent === 'hour' ? 0 : h.remaining),
    });
  };
  fake.app.use(
    '/api/1.1',
    movesApi({
      data,
      clock,
      authenticate: (req) => {
        const auth = fake.authenticate(req);
        if (!auth.ok) return undefined;
        return { userId: auth.userId, scopes: auth.scope.split(' ').filter(Boolean) };
      },
      before: [
        fake.faults.middleware,
        (_req, res, next) => {
          const spent = !hour.peek('app').allowed
            ? 'hour'
            : !minute.peek('app').allowed
              ? 'minute'
              : undefined;
          if (spent) {
            quotaHeaders(res, spent);
            res.status(429).type('text/plain').send('Too Many Requests');
            return;
          }
          minute.take('app');
          hour.take('app');
          quotaHeaders(res);
          next();
        },
      ],
    }),
  );

  /** https://dev.moves-app.com/docs/api_notifications: the body and its signature headers. */
  const notification = (userId: string, updates?: StorylineUpdate[]) => {
    const now = clock.now();
    const stamp = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
    const body = JSON.stringify({
      userId: Number(userId),
      storylineUpdates: updates ?? [
        {
          reason: 'DataUpload',
          startTime: stamp,
          endTime: stamp,
          lastSegmentType: 'move',
          lastSegmentStartTime: stamp,
        },
      ],
    });
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const headers = {
      'x-moves-signature': movesSignature.sign(clientSecret, Buffer.from(body), [timestamp, nonce]),
      'x-moves-timestamp': timestamp,
      'x-moves-nonce': nonce,
    };
    return { body, headers };
  };
  const sender = createWebhookSender({ timeoutMs: 3000 });

  return fake.listen(
    {
      data,
      putDay: (userId: string, day: MovesFakeDay) => putDay(data, userId, day),
      notify: (url: string, userId: string, updates?: StorylineUpdate[]) => {
        const { body, headers } = notification(userId, updates);
        return sender.send(url, { body, contentType: 'application/json', headers });
      },
    },
    {
      controls: {
        notification: (userId) => {
          const { body, headers } = notification(userId);
          return jsonNotification(body, headers);
        },
      },
    },
  );
}
