import {
  type Credentials,
  createPartnerHttp,
  type PartnerApi,
  type PartnerHttp,
  type RateBudget,
  type ResolvedPartner,
} from '@healthsync/partner-kit';
import type { CredentialsClient, WorkerCredentials } from './credentials.js';
import { createKeepAliveFetch } from './keep-alive-fetch.js';
import type { ConnectionRow } from './repositories/connections.repository.js';

function toKit(c: WorkerCredentials): Credentials {
  if (c.tokenSecret !== undefined)
    return { kind: 'oauth1', generation: c.generation, token: c.accessToken, tokenSecret: c.tokenSecret };
  return {
    kind: 'oauth2',
    generation: c.generation,
    accessToken: c.accessToken,
    ...(c.expiresAt ? { expiresAt: new Date(c.expiresAt) } : {}),
  };
}

/** The kit's signed client for one connection, with credentials from the auth service. */
export function partnerHttpFactory(options: {
  api: PartnerApi;
  resolved: ResolvedPartner;
  credentials: CredentialsClient;
  budget?: RateBudget;
  /** Default: one keep-alive client for all of this partner's connections (keep-alive-fetch.ts). */
  fetch?: typeof fetch;
  /** Base of the kit's retry backoff (default 250 ms). */
  retryBaseMs?: number;
}): (connection: ConnectionRow) => Promise<PartnerHttp> {
  const partner = options.api.declaration.id;
  const partnerFetch = options.fetch ?? createKeepAliveFetch();
  return async (connection) => {
    // Fetch once up front so a revoked connection fails before any partner call.
    const first = toKit(await options.credentials.get(partner, connection.user_id));
    let current = first;
    return createPartnerHttp({
      api: options.api,
      resolved: options.resolved,
      userKey: connection.user_id,
      credentials: async () => current,
      refreshCredentials: async () => {
        current = toKit(await options.credentials.get(partner, connection.user_id, { force: true }));
        return current;
      },
      ...(options.budget ? { budget: options.budget } : {}),
      fetch: partnerFetch,
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    });
  };
}
