import {
  createDevPartnerEnv,
  getOAuth2Generation,
  type ResolvedPartner,
  resolvePartnerConfig,
} from '../config.js';
import type { PartnerApi, PartnerDeclaration, ResourceContext } from '../define-partner.js';
import { createPartnerHttp } from '../http/client.js';
import { createMemoryRateBudget } from '../http/rate-budget.js';
import {
  type OAuth1AccessTokenResult,
  oauth1AccessToken,
  oauth1AuthorizeUrl,
  oauth1RequestToken,
} from '../oauth/oauth1.js';
import {
  createPkcePair,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  randomState,
  type TokenSet,
} from '../oauth/oauth2.js';
import { submitConsent } from './consent.js';
import type { FakeClock, FakeHandle } from './types.js';

/** A clock tests set (`clock.at = ...`) or move forward; the fake's windows and token expiry read it. */
export interface MovableClock extends FakeClock {
  at: Date;
  advance(seconds: number): void;
}

export function movableClock(start: string | Date): MovableClock {
  return {
    at: new Date(start),
    now() {
      return this.at;
    },
    advance(seconds) {
      this.at = new Date(this.at.getTime() + seconds * 1000);
    },
  };
}

/** The declaration resolved against a running fake (every URL on the fake, its client credentials). */
export function resolveAgainstFake(declaration: PartnerDeclaration, fake: FakeHandle): ResolvedPartner {
  return resolvePartnerConfig(
    declaration,
    createDevPartnerEnv(declaration, fake.url, { clientId: fake.clientId, clientSecret: fake.clientSecret }),
  );
}

/** A response's JSON object body (throws when the body is not an object). */
export async function jsonObject(res: Response): Promise<Record<string, unknown>> {
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null) throw new Error('not a JSON object');
  return body as Record<string, unknown>;
}

/**
 * Our side of a whole OAuth 2.0 connection against a fake: authorize URL (with PKCE when the
 * generation needs it), the consent page submitted as a browser would, the code exchange.
 */
export async function connectThroughConsent(
  resolved: ResolvedPartner,
  options: { redirectUri: string; user?: string; generation?: string },
): Promise<TokenSet & { callback: URL }> {
  const generation = options.generation ?? 'oauth2';
  const pkce = getOAuth2Generation(resolved, generation).pkce ? await createPkcePair() : undefined;
  const state = randomState();
  const url = oauth2AuthorizeUrl(resolved, generation, {
    redirectUri: options.redirectUri,
    state,
    ...(pkce ? { codeChallenge: pkce.challenge } : {}),
  });
  const callback = await submitConsent(url, options.user ? { user: options.user } : {});
  const tokens = await oauth2ExchangeCode(resolved, generation, {
    callbackUrl: callback,
    expectedState: state,
    ...(pkce ? { codeVerifier: pkce.verifier } : {}),
    redirectUri: options.redirectUri,
  });
  return { ...tokens, callback };
}

/**
 * Our side of a whole OAuth 1.0a connection against a fake: request token, the consent page
 * submitted as a browser would, the access token for the callback's verifier.
 */
export async function connectOAuth1ThroughConsent(
  resolved: ResolvedPartner,
  options: { callbackUrl: string; user?: string; generation?: string },
): Promise<OAuth1AccessTokenResult & { callback: URL }> {
  const generation = options.generation ?? 'oauth1';
  const request = await oauth1RequestToken(resolved, generation, { callbackUrl: options.callbackUrl });
  const callback = await submitConsent(
    oauth1AuthorizeUrl(resolved, generation, request.token),
    options.user ? { user: options.user } : {},
  );
  const verifier = callback.searchParams.get('oauth_verifier') ?? '';
  const access = await oauth1AccessToken(resolved, generation, { ...request, verifier });
  return { ...access, callback };
}

/**
 * A user connected through the consent page (`connectThroughConsent`) and the resource context the
 * sync worker would build for the connection: the kit's client with the access token, over a fresh
 * in-memory budget of the declared rate limits that refuses instead of waiting. The token response
 * must name the partner's user.
 */
export async function connectedContext(
  api: PartnerApi,
  resolved: ResolvedPartner,
  options: { redirectUri: string; user?: string; generation?: string },
): Promise<ResourceContext & { tokens: TokenSet & { callback: URL } }> {
  const generation = options.generation ?? 'oauth2';
  const tokens = await connectThroughConsent(resolved, { ...options, generation });
  const externalUserId = tokens.externalUserId;
  if (!externalUserId) throw new Error(`the ${resolved.id} token response named no user`);
  const http = createPartnerHttp({
    api,
    resolved,
    userKey: externalUserId,
    budget: createMemoryRateBudget({
      partner: resolved.id,
      limits: resolved.declaration.rateLimits,
      maxWaitMs: 0,
    }),
    credentials: async () => ({ kind: 'oauth2', generation, accessToken: tokens.accessToken }),
  });
  return { http, externalUserId, generation, now: new Date(), tokens };
}
