import type { DataKind } from '@healthsync/contracts';
import { definePartner, readFormWithQuery, type WebhookRequest } from '@healthsync/partner-kit';
import { WithingsEnvelope, WithingsNotification, WithingsUserId } from './schemas.js';
import { classifyStatus } from './status.js';

/** Notifications are form POSTs (legacy ones carried the fields in the query): merge both. */
const notification = (req: WebhookRequest) => readFormWithQuery(req, WithingsNotification);
/** appli 1: weight and body composition; 16: activity (workouts); 46 + unlink/delete: access revoked. */
const KINDS: Record<number, DataKind[]> = { 1: ['measurement'], 16: ['exercise'] };

/** A failed `requesttoken` as RFC 6749 says it; a refused code or refresh token is `invalid_grant`. */
const OAUTH_ERROR: Record<string, string> = {
  rate_limited: 'slow_down',
  transient: 'temporarily_unavailable',
};

export const declaration = definePartner({
  id: 'withings',
  displayName: 'Withings',
  apiUrl: 'https://wbsapi.withings.net',
  docs: 'https://developer.withings.com/api-reference',
  auth: {
    current: 'oauth2',
    generations: {
      oauth2: {
        kind: 'oauth2',
        authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
        tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
        scopes: ['user.info', 'user.metrics', 'user.activity'],
        scopeSeparator: ',',
        pkce: false,
        clientAuth: 'body',
        refresh: 'rotating',
        tokenParams: { action: 'requesttoken' },
        /** `{status: 0, body: {userid, access_token, ...}}`; failures become RFC 6749 errors for the kit. */
        adaptTokenResponse: (raw) => {
          const { status, body } = WithingsEnvelope.parse(raw);
          const error = OAUTH_ERROR[classifyStatus(status) ?? 'ok'] ?? 'invalid_grant';
          return status === 0 ? body : { error, error_description: `Withings status ${status}` };
        },
        externalUserId: (token) => WithingsUserId.safeParse(token.userid).data,
      },
      /** OAuth 1.0a, closed by Withings on 2018-11-30; kept for connections made before the switch. */
      oauth1: {
        kind: 'oauth1',
        requestTokenUrl: 'https://oauth.withings.com/account/request_token',
        authorizeUrl: 'https://oauth.withings.com/account/authorize',
        accessTokenUrl: 'https://oauth.withings.com/account/access_token',
        signatureMethod: 'HMAC-SHA1',
        signaturePlacement: 'query',
        externalUserId: (response) => response.userid,
      },
    },
  },
  capabilities: {
    measurement: { poll: true, push: false, update: false, delete: false },
    exercise: { poll: true, push: false, update: false, delete: false },
  },
  rateLimits: [{ scope: 'app', limit: 120, windowSeconds: 60 }],
  webhook: {
    /** Withings sends HEAD to the callback URL before it registers a subscription. */
    handshake: (req) => (req.method === 'HEAD' ? { status: 200 } : null),
    /** Unsigned (authenticity is Withings' IP ranges): accept only a well-formed notification. */
    verify: (req) => notification(req) !== undefined,
    parse: (req) => {
      const n = notification(req);
      if (!n) throw new Error('malformed Withings notification');
      const revoked = n.appli === 46 && (n.action === 'unlink' || n.action === 'delete');
      const kinds = revoked ? [] : KINDS[n.appli];
      return kinds ? [{ externalUserId: n.userid, kinds, ...(revoked && { revoked }) }] : [];
    },
    accepted: { status: 200 },
    rejected: { status: 400 },
  },
});
