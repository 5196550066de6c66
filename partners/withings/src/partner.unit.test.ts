import type { WebhookRequest } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import requesttoken from './fixtures/requesttoken.json' with { type: 'json' };
import { declaration } from './partner.js';

const oauth2 = declaration.auth.generations.oauth2;
const oauth1 = declaration.auth.generations.oauth1;
const webhook = declaration.webhook;

const request = (body: string, over: Partial<WebhookRequest> = {}): WebhookRequest => ({
  method: 'POST',
  query: {},
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  rawBody: Buffer.from(body),
  ...over,
});

describe('Withings declaration', () => {
  it('unwraps the {status, body} token envelope into a standard token response', () => {
    expect(oauth2.adaptTokenResponse(requesttoken)).toEqual(requesttoken.body);
    expect(oauth2.externalUserId({ userid: 363 })).toBe('363');
    expect(oauth2.externalUserId({ userid: '363' })).toBe('363');
    expect(oauth2.externalUserId({})).toBeUndefined();
    expect(oauth1.externalUserId({ oauth_token: 't', oauth_token_secret: 's', userid: '12345' })).toBe(
      '12345',
    );
  });

  it('turns token endpoint failures into RFC 6749 errors by status family', () => {
    const adapt = (status: number) =>
      oauth2.adaptTokenResponse({ status, body: {}, error: 'Invalid Params: invalid code' });
    expect(adapt(503)).toEqual({ error: 'invalid_grant', error_description: 'status 503' });
    expect(adapt(401)).toMatchObject({ error: 'invalid_grant' });
    expect(adapt(601)).toMatchObject({ error: 'slow_down' });
    expect(adapt(522)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(oauth2.adaptTokenResponse('<html>')).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('answers the HEAD check Withings sends before subscribing', () => {
    expect(webhook.handshake(request('', { method: 'HEAD' }))).toEqual({ status: 200 });
    expect(webhook.handshake(request('userid=1&appli=1'))).toBeNull();
  });

  it('accepts well-formed notifications and maps appli to kinds', () => {
    const weight = request('userid=12345&appli=1&startdate=1530576000&enddate=1530698753');
    expect(webhook.verify(weight)).toBe(true);
    expect(webhook.parse(weight)).toEqual([{ externalUserId: '12345', kinds: ['measurement'] }]);
    expect(webhook.parse(request('userid=12345&appli=16&startdate=1&enddate=2'))).toEqual([
      { externalUserId: '12345', kinds: ['exercise'] },
    ]);
    expect(webhook.parse(request('userid=12345&appli=44&startdate=1&enddate=2'))).toEqual([]);
    expect(webhook.parse(request('userid=12345&appli=46&action=unlink'))).toEqual([
      { externalUserId: '12345', kinds: [], revoked: true },
    ]);
    expect(webhook.parse(request('userid=12345&appli=46&action=update'))).toEqual([]);
    // Legacy callbacks carried the fields in the query.
    const legacy = request('', {
      query: { userid: '123456', startdate: '1260350649', enddate: '1260350650', appli: '1' },
    });
    expect(webhook.parse(legacy)).toEqual([{ externalUserId: '123456', kinds: ['measurement'] }]);
  });

  it('rejects malformed notifications', () => {
    for (const body of [
      '',
      'appli=1',
      'userid=abc&appli=1',
      'userid=1&appli=x',
      'userid=1&appli=1&startdate=yesterday',
    ]) {
      expect(webhook.verify(request(body))).toBe(false);
      expect(() => webhook.parse(request(body))).toThrow(/malformed/);
    }
  });

  it('declares a read-only partner with one app-wide limit', () => {
    expect(declaration.capabilities).toEqual({
      measurement: { poll: true, push: false, update: false, delete: false },
      exercise: { poll: true, push: false, update: false, delete: false },
    });
    expect(declaration.rateLimits).toEqual([{ scope: 'app', limit: 120, windowSeconds: 60 }]);
    expect(oauth2.scopes.join(oauth2.scopeSeparator)).toBe('user.info,user.metrics,user.activity');
  });
});
