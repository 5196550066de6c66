import type { DataKind } from '@healthsync/contracts';
import {
  definePartner,
  type KindCapability,
  type OAuth1Generation,
  type OAuth2Generation,
  oauth2,
  type PartnerDeclaration,
  type RateLimit,
} from '../define-partner.js';
import { oauth1 } from '../oauth1-generation.js';

/** Where a test partner differs from `testPartner`'s defaults. */
export interface TestPartnerOptions {
  /** The API base URL; `https://api.<id>.example` by default. */
  readonly apiUrl?: string;
  /** Fields of the current OAuth 2.0 generation over `oauth2()`'s defaults and the ones above. */
  readonly oauth2?: Partial<Omit<OAuth2Generation, 'kind'>>;
  /** Fields of a legacy OAuth 1.0a generation named `legacy` over `oauth1()`'s defaults; none when absent. */
  readonly legacy?: Partial<Omit<OAuth1Generation, 'kind'>>;
  readonly capabilities?: Readonly<Partial<Record<DataKind, KindCapability>>>;
  readonly rateLimits?: readonly RateLimit[];
}

/**
 * A partner declaration for the kit's own tests: a current OAuth 2.0 generation built with
 * `oauth2()` (authorize at `/oauth2/authorize`, tokens at `/oauth2/token`, rotating refresh
 * tokens) and, when asked, a legacy OAuth 1.0a generation at `/oauth1/request_token`,
 * `/oauth1/authorize` and `/oauth1/access_token`. Only the paths matter against a fake:
 * `createDevPartnerEnv` moves every URL onto the fake's origin.
 */
export function testPartner(id: string, options: TestPartnerOptions = {}): PartnerDeclaration {
  return definePartner({
    id,
    displayName: id,
    apiUrl: options.apiUrl ?? `https://api.${id}.example`,
    docs: 'https://example.com',
    auth: {
      current: 'oauth2',
      generations: {
        oauth2: {
          ...oauth2({
            authorizeUrl: `https://www.${id}.example/oauth2/authorize`,
            tokenUrl: `https://api.${id}.example/oauth2/token`,
            refresh: 'rotating',
          }),
          ...options.oauth2,
        },
        ...(options.legacy
          ? {
              legacy: {
                ...oauth1({
                  requestTokenUrl: `https://api.${id}.example/oauth1/request_token`,
                  authorizeUrl: `https://www.${id}.example/oauth1/authorize`,
                  accessTokenUrl: `https://api.${id}.example/oauth1/access_token`,
                }),
                ...options.legacy,
              },
            }
          : {}),
      },
    },
    capabilities: options.capabilities ?? {},
    rateLimits: options.rateLimits ?? [],
  });
}
