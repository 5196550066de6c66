import {
  createDevPartnerEnv,
  getOAuth2Generation,
  type ResolvedPartner,
  resolvePartnerConfig,
} from '../config.js';
import type { PartnerDeclaration } from '../define-partner.js';
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
