import { definePartner } from '@healthsync/partner-kit';
import { movesWebhook } from './webhook.js';

/** Moves (API 1.1, archived: the service shut down on 31 Jul 2018): https://dev.moves-app.com/docs/api */
export const declaration = definePartner({
  id: 'moves',
  displayName: 'Moves',
  apiUrl: 'https://api.moves-app.com/api/1.1',
  docs: 'https://dev.moves-app.com/docs/api',
  auth: {
    current: 'oauth2',
    generations: {
      // https://dev.moves-app.com/docs/authentication: access tokens last about 6 months; refresh rotates.
      oauth2: {
        kind: 'oauth2',
        authorizeUrl: 'https://api.moves-app.com/oauth/v1/authorize',
        tokenUrl: 'https://api.moves-app.com/oauth/v1/access_token',
        scopes: ['activity', 'location'],
        scopeSeparator: ' ',
        pkce: false,
        clientAuth: 'body',
        refresh: 'rotating',
      },
    },
  },
  // No upload API ("no short-term plans to support posting data").
  capabilities: { exercise: { poll: true, push: false, update: false, delete: false } },
  // Per app, reset at the top of each minute and hour.
  rateLimits: [
    { scope: 'app', limit: 60, windowSeconds: 60, alignment: 'fixed' },
    { scope: 'app', limit: 2000, windowSeconds: 3600, alignment: 'fixed' },
  ],
  webhook: movesWebhook,
});
