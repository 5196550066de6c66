import { z } from 'zod';
import { getOAuth2Generation, type ResolvedPartner } from '../config.js';
import { codeForStatus, PartnerError, parseRetryAfter } from '../errors.js';
import type { OAuth2CallOptions } from './oauth2.js';

const Id = z.union([z.string().min(1), z.number().finite()]).transform(String);

function pick(body: unknown, field: string): unknown {
  let cur = body;
  for (const key of field.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * The partner's id for the user, asked of the partner's API with a fresh access token, for
 * generations whose token response names no user (they declare `identity`). Call it right after
 * `oauth2ExchangeCode` when the token set has no `externalUserId`; undefined when the generation
 * declares no identity endpoint. Failures leave as classified PartnerErrors without the token.
 */
export async function oauth2FetchExternalUserId(
  resolved: ResolvedPartner,
  generation: string,
  accessToken: string,
  options: OAuth2CallOptions = {},
): Promise<string | undefined> {
  const identity = getOAuth2Generation(resolved, generation).identity;
  if (!identity) return undefined;
  const partner = resolved.id;
  const url = `${resolved.apiUrl}/${identity.path.replace(/^\/+/, '')}`;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: identity.accept ?? 'application/json',
      },
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 15) * 1000),
    });
  } catch {
    throw new PartnerError('transient', `${partner} identity endpoint unreachable or timed out`, { partner });
  }
  const code = codeForStatus(res.status);
  if (code) {
    const now = (options.now ?? (() => new Date()))();
    const retryAt = parseRetryAfter(res.headers.get('retry-after'), now);
    throw new PartnerError(code, `${partner} identity ${identity.path}: HTTP ${res.status}`, {
      partner,
      status: res.status,
      ...(retryAt ? { retryAt } : {}),
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(await res.text());
  } catch {
    throw new PartnerError('invalid_data', `${partner} identity ${identity.path}: not JSON`, { partner });
  }
  const id = Id.safeParse(pick(body, identity.field));
  if (!id.success)
    throw new PartnerError('invalid_data', `${partner} identity ${identity.path} has no ${identity.field}`, {
      partner,
    });
  return id.data;
}
