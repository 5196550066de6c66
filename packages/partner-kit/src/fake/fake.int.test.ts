import { createHmac } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaults } from './faults.js';
import { fakeBodyParsers, type Listening, listen, rawBodyOf } from './http.js';
import { createWebhookSender } from './webhook.js';

describe('webhook sender', () => {
  let receiver: Listening;
  const received: { body: string; signature?: string | undefined }[] = [];
  let failures = 0;
  beforeAll(async () => {
    const app = express();
    app.use(...fakeBodyParsers());
    app.post('/hook', (req, res) => {
      if (failures > 0) {
        failures--;
        res.status(500).end();
        return;
      }
      received.push({ body: rawBodyOf(req).toString('utf8'), signature: req.get('x-signature') });
      res.status(204).end();
    });
    receiver = await listen(app);
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('signs the exact body, retries on failure and records every attempt', async () => {
    const sender = createWebhookSender({
      sign: (body) => ({ 'x-signature': createHmac('sha1', 'secret&').update(body).digest('base64') }),
      retryDelaysMs: [10, 10],
    });
    failures = 1;
    const body = JSON.stringify([{ collectionType: 'body', ownerId: 'GGNJL9' }]);
    const delivery = await sender.send(`${receiver.url}/hook`, { body, contentType: 'application/json' });
    expect(delivery.ok).toBe(true);
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 204]);
    expect(received.at(-1)).toEqual({
      body,
      signature: createHmac('sha1', 'secret&').update(body).digest('base64'),
    });
    expect(sender.deliveries).toHaveLength(1);
  });

  it('gives up after the schedule and records network errors', async () => {
    const dead = await listen(express());
    await dead.close();
    const sender = createWebhookSender({ retryDelaysMs: [5] });
    const delivery = await sender.send(`${dead.url}/hook`, {
      body: 'userid=1&appli=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(delivery.ok).toBe(false);
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.attempts[0]?.error).toBeDefined();
  });
});

describe('fault injection', () => {
  it('fails the next N calls, then rate limits with Retry-After, then lets calls through', async () => {
    const faults = createFaults();
    const app = express();
    app.use(faults.middleware);
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    const server = await listen(app);
    try {
      faults.failNext(2, 502);
      faults.rateLimitNext(30);
      const statuses: (number | string | null)[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${server.url}/x`);
        statuses.push(res.status, res.headers.get('retry-after'));
      }
      expect(statuses).toEqual([502, null, 502, null, 429, '30', 200, null]);
      expect(() => faults.failNext(1, 404)).toThrow(RangeError);
    } finally {
      await server.close();
    }
  });
});
