import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeSetup,
  connectThrough,
  fitbitKitSetup,
  fitbitSignature,
  outboxEvents,
  startHarness,
  withingsSetup,
} from './testing/harness.js';

const VERIFY = 'fitbit-verify-code-42';
const partners = { acme: acmeSetup(), withings: withingsSetup, fitbit: fitbitKitSetup(VERIFY) };
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners });
  expect((await connectThrough(h, 'wh-w', 'withings', { user: '1001' })).status).toBe('connected');
  expect((await connectThrough(h, 'wh-f', 'fitbit', { user: 'FB0001' })).status).toBe('connected');
  expect((await connectThrough(h, 'wh-f2', 'fitbit', { user: 'FB0002' })).status).toBe('connected');
});
afterAll(async () => {
  await h?.close();
});

const notified = async (userId: string) =>
  (await outboxEvents(h.db, 'partner.notified')).filter((e) => e.envelope.payload.userId === userId);

function fitbitPost(body: string, signature?: string) {
  return h.api('/v1/webhooks/fitbit', {
    method: 'POST',
    body,
    contentType: 'application/json',
    headers: {
      'x-fitbit-signature': signature ?? fitbitSignature.sign(h.fakes.fitbit.clientSecret, Buffer.from(body)),
    },
  });
}

describe('Withings webhooks (the fake delivers them over HTTP)', () => {
  it('answers the HEAD check, accepts a subscription and turns a notification into partner.notified', async () => {
    expect((await h.api('/v1/webhooks/withings', { method: 'HEAD' })).status).toBe(200);
    const creds = await h.api('/internal/v1/credentials/withings/wh-w', {
      method: 'POST',
      token: await h.serviceToken(),
      json: {},
    });
    const { accessToken } = creds.json<{ accessToken: string }>();
    const callbackurl = `${h.url}/v1/webhooks/withings`;
    const subscribe = await fetch(`${h.fakes.withings.url}/notify`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ action: 'subscribe', callbackurl, appli: '1' }),
    });
    expect(await subscribe.json()).toMatchObject({ status: 0 });
    const deliveries = await h.fakes.withings.notify('1001', 'measurement');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.ok)).toBe(true);
    const events = await notified('wh-w');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      routing_key: 'partner.notified.withings',
      envelope: { payload: { partner: 'withings', kinds: ['measurement'] } },
    });
  });

  it('rejects a malformed notification as Withings expects (400), with no event', async () => {
    const before = (await outboxEvents(h.db)).length;
    const res = await h.api('/v1/webhooks/withings', {
      method: 'POST',
      body: 'appli=1&startdate=abc',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(400);
    expect((await outboxEvents(h.db)).length).toBe(before);
  });

  it('accepts a notification for an account nobody connected, with no event', async () => {
    const before = (await outboxEvents(h.db)).length;
    const res = await h.api('/v1/webhooks/withings', {
      method: 'POST',
      body: 'userid=999999&appli=1&startdate=1700000000&enddate=1700003600',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    expect((await outboxEvents(h.db)).length).toBe(before);
  });
});

describe('Fitbit webhooks (signed)', () => {
  it('answers the subscriber verification: 204 for the right code, 404 for a wrong one', async () => {
    expect((await h.api(`/v1/webhooks/fitbit?verify=${VERIFY}`)).status).toBe(204);
    expect((await h.api('/v1/webhooks/fitbit?verify=wrong')).status).toBe(404);
  });

  it('merges a batch into one partner.notified per user', async () => {
    const body = JSON.stringify([
      {
        collectionType: 'body',
        date: '2026-03-01',
        ownerId: 'FB0001',
        ownerType: 'user',
        subscriptionId: 's-1',
      },
      {
        collectionType: 'activities',
        date: '2026-03-01',
        ownerId: 'FB0001',
        ownerType: 'user',
        subscriptionId: 's-2',
      },
      {
        collectionType: 'foods',
        date: '2026-03-01',
        ownerId: 'FB0002',
        ownerType: 'user',
        subscriptionId: 's-3',
      },
    ]);
    const res = await fitbitPost(body);
    expect(res.status).toBe(204);
    expect((await notified('wh-f')).map((e) => e.envelope.payload.kinds)).toEqual([
      ['exercise', 'measurement'],
    ]);
    expect((await notified('wh-f2')).map((e) => e.envelope.payload.kinds)).toEqual([['food']]);
  });

  it('rejects a bad signature, a missing one and a malformed body as Fitbit expects (404), with no event', async () => {
    const before = (await outboxEvents(h.db)).length;
    const body = JSON.stringify([
      {
        collectionType: 'body',
        date: '2026-03-01',
        ownerId: 'FB0001',
        ownerType: 'user',
        subscriptionId: 's-1',
      },
    ]);
    expect((await fitbitPost(body, 'AAAA')).status).toBe(404);
    const unsigned = await h.api('/v1/webhooks/fitbit', {
      method: 'POST',
      body,
      contentType: 'application/json',
    });
    expect(unsigned.status).toBe(404);
    // Correctly signed, but not JSON: the shared body parser fails, the partner's answer still applies.
    expect((await fitbitPost('[{"collectionType": "body", ')).status).toBe(404);
    expect((await fitbitPost('{"not":"an array"}')).status).toBe(404);
    expect((await outboxEvents(h.db)).length).toBe(before);
  });

  it('a userRevokedAccess notification marks the connection needs_reauth once', async () => {
    const body = JSON.stringify([
      {
        collectionType: 'userRevokedAccess',
        date: '2026-03-01',
        ownerId: 'FB0002',
        ownerType: 'user',
        subscriptionId: 's-9',
      },
    ]);
    expect((await fitbitPost(body)).status).toBe(204);
    expect((await fitbitPost(body)).status).toBe(204);
    const { rows } = await sql<{
      status: string;
    }>`select status from auth.connections where user_id = 'wh-f2'`.execute(h.db);
    expect(rows[0]?.status).toBe('needs_reauth');
    const events = (await outboxEvents(h.db, 'connection.needs-reauth')).filter(
      (e) => e.envelope.payload.userId === 'wh-f2',
    );
    expect(events).toHaveLength(1);
    // A connection that needs re-auth is not synced on notifications.
    const note = JSON.stringify([
      {
        collectionType: 'body',
        date: '2026-03-02',
        ownerId: 'FB0002',
        ownerType: 'user',
        subscriptionId: 's-3',
      },
    ]);
    const before = (await notified('wh-f2')).length;
    expect((await fitbitPost(note)).status).toBe(204);
    expect((await notified('wh-f2')).length).toBe(before);
  });
});

describe('other partners', () => {
  it('an unknown partner and a partner without webhooks are 404 problems', async () => {
    for (const path of ['/v1/webhooks/nope', '/v1/webhooks/acme']) {
      const res = await h.api(path, { method: 'POST', json: {} });
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
  });
});
