import {
  createDevPartnerEnv,
  oauth1AccessToken,
  oauth1AuthorizeUrl,
  oauth1RequestToken,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  type ResolvedPartner,
  randomState,
  resolvePartnerConfig,
  type TokenSet,
} from '@healthsync/partner-kit';
import { type FakeHandle, submitConsent } from '@healthsync/partner-kit/fake';
import { declaration } from './partner.js';

/** Test support: the declaration resolved against a running fake, and connections made through
 * the real authorization flows, the consent page submitted as a browser would. */
export const resolveAgainst = (fake: FakeHandle): ResolvedPartner =>
  resolvePartnerConfig(
    declaration,
    createDevPartnerEnv(declaration, fake.url, { clientId: fake.clientId, clientSecret: fake.clientSecret }),
  );

export async function connectOAuth2(
  resolved: ResolvedPartner,
  user: string,
  redirectUri: string,
): Promise<TokenSet> {
  const state = randomState();
  const callbackUrl = await submitConsent(oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri, state }), {
    user,
  });
  return oauth2ExchangeCode(resolved, 'oauth2', { callbackUrl, expectedState: state, redirectUri });
}

export async function connectOAuth1(resolved: ResolvedPartner, user: string, callbackUrl: string) {
  const request = await oauth1RequestToken(resolved, 'oauth1', { callbackUrl });
  const back = await submitConsent(oauth1AuthorizeUrl(resolved, 'oauth1', request.token), { user });
  const verifier = back.searchParams.get('oauth_verifier') ?? '';
  return oauth1AccessToken(resolved, 'oauth1', { ...request, verifier });
}
