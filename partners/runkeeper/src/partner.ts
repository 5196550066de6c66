import { definePartner, oauth2 } from '@healthsync/partner-kit/declaration';

const twoWay = { poll: true, push: true, update: true, delete: true } as const;

/** RunKeeper Health Graph: https://runkeeper.com/developer/healthgraph/overview */
export const declaration = definePartner({
  id: 'runkeeper',
  displayName: 'RunKeeper',
  apiUrl: 'https://api.runkeeper.com',
  docs: 'https://runkeeper.com/developer/healthgraph/overview',
  // No scopes, no refresh: access tokens never expire; revoked at the de-authorize endpoint.
  auth: oauth2({
    authorizeUrl: 'https://runkeeper.com/apps/authorize',
    tokenUrl: 'https://runkeeper.com/apps/token',
    revokeUrl: 'https://runkeeper.com/apps/de-authorize',
    revokeTokenParam: 'access_token',
    refresh: 'none',
    // The token response names no user: `GET /user` does (oauth2FetchExternalUserId).
    identity: { path: '/user', field: 'userID', accept: 'application/vnd.com.runkeeper.User+json' },
  }),
  capabilities: { exercise: twoWay, measurement: twoWay, food: twoWay },
  // Weight sets hold a weight and a body fat percentage.
  measurementTypes: ['weight', 'body_fat'],
  // Undocumented upstream; a self-imposed per-user budget, and a 429 names its own wait.
  rateLimits: [{ scope: 'user', limit: 100, windowSeconds: 900 }],
});
