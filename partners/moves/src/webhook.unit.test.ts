import type { WebhookRequest } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { declaration, movesSignature } from './partner.js';

// Vectors computed independently with `printf '%s%s%s' "$BODY" "$TS" "$NONCE" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64`.
const BODY =
  '{"userId":23138311640030064,"storylineUpdates":[{"reason":"DataUpload","startTime":"20130317T000000Z","endTime":"20130317T120000Z","lastSegmentType":"place","lastSegmentStartTime":"20130317T093000Z"}]}';
const VECTORS = [
  {
    secret: 'moves-client-secret',
    body: BODY,
    timestamp: '1390571569',
    nonce: 'abc123',
    signature: 'hSr3AO7gGSEV1XzbQBfLXU1Ikx8=',
  },
  {
    secret: 'test-secret-2',
    body: '{"userId":42,"storylineUpdates":[]}',
    timestamp: '1700000000',
    nonce: 'n0nce',
    signature: 'gnxcgkjWNTBC/Co71sSGTbV7cBA=',
  },
];

const webhook = declaration.webhook;
const request = (body: string, headers: Record<string, string>): WebhookRequest => ({
  method: 'POST',
  query: {},
  headers: { 'content-type': 'application/json', ...headers },
  rawBody: Buffer.from(body),
});
const signed = (v: (typeof VECTORS)[number], overrides: Record<string, string> = {}) =>
  request(v.body, {
    'x-moves-signature': v.signature,
    'x-moves-timestamp': v.timestamp,
    'x-moves-nonce': v.nonce,
    ...overrides,
  });

describe('Moves notification signature', () => {
  it('is HMAC-SHA1 with the client secret over body, timestamp and nonce concatenated', () => {
    for (const v of VECTORS)
      expect(movesSignature.sign(v.secret, Buffer.from(v.body), [v.timestamp, v.nonce])).toBe(v.signature);
  });

  it('accepts a correctly signed notification', () => {
    for (const v of VECTORS) expect(webhook.verify(signed(v), { clientSecret: v.secret })).toBe(true);
  });

  it('rejects a tampered body, timestamp or nonce, a wrong secret and missing headers', () => {
    const [v] = VECTORS;
    if (!v) throw new Error('no vector');
    expect(
      webhook.verify(
        { ...signed(v), rawBody: Buffer.from(v.body.replace('DataUpload', 'Edit')) },
        { clientSecret: v.secret },
      ),
    ).toBe(false);
    expect(webhook.verify(signed(v, { 'x-moves-timestamp': '1390571570' }), { clientSecret: v.secret })).toBe(
      false,
    );
    expect(webhook.verify(signed(v, { 'x-moves-nonce': 'abc124' }), { clientSecret: v.secret })).toBe(false);
    expect(webhook.verify(signed(v), { clientSecret: 'another-secret' })).toBe(false);
    expect(webhook.verify(request(v.body, {}), { clientSecret: v.secret })).toBe(false);
    // The literal-pipe reading of the docs is not what Moves signs.
    expect(
      webhook.verify(signed(v, { 'x-moves-signature': 'im/OWj78LQKPNHuazsszRb+AbxE=' }), {
        clientSecret: v.secret,
      }),
    ).toBe(false);
  });

  it('parses the user and makes an exercise poll due; answers 200 / 401', () => {
    const [v] = VECTORS;
    if (!v) throw new Error('no vector');
    expect(webhook.parse(signed(v))).toEqual([{ externalUserId: '23138311640030064', kinds: ['exercise'] }]);
    expect(webhook.parse(request('{"userId":42,"storylineUpdates":[]}', {}))).toEqual([]);
    expect(() => webhook.parse(request('{"storylineUpdates":[]}', {}))).toThrow();
    expect(() => webhook.parse(request('not json', {}))).toThrow();
    expect(webhook.accepted.status).toBe(200);
    expect(webhook.rejected.status).toBe(401);
  });

  it('rejects a correctly signed body that is not a notification', () => {
    const secret = 'moves-client-secret';
    const [timestamp, nonce] = ['1700000000', 'n0nce'];
    const bodySigned = (body: string) =>
      request(body, {
        'x-moves-signature': movesSignature.sign(secret, Buffer.from(body), [timestamp, nonce]),
        'x-moves-timestamp': timestamp,
        'x-moves-nonce': nonce,
      });
    expect(webhook.verify(bodySigned('{"userId":42,"storylineUpdates":[]}'), { clientSecret: secret })).toBe(
      true,
    );
    expect(webhook.verify(bodySigned('{"storylineUpdates":[]}'), { clientSecret: secret })).toBe(false);
    expect(webhook.verify(bodySigned('not json'), { clientSecret: secret })).toBe(false);
  });
});
