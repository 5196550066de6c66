import type {
  AuthGeneration,
  OAuth1Generation,
  OAuth2Generation,
  PartnerDeclaration,
} from './define-partner.js';

/**
 * One configuration convention for every partner (DESIGN.md §9):
 *
 *   PARTNER_<ID>_CLIENT_ID, PARTNER_<ID>_CLIENT_SECRET, PARTNER_<ID>_API_URL,
 *   PARTNER_<ID>_AUTHORIZE_URL, PARTNER_<ID>_TOKEN_URL, PARTNER_<ID>_REVOKE_URL,
 *   PARTNER_<ID>_REQUEST_TOKEN_URL, PARTNER_<ID>_ACCESS_TOKEN_URL, PARTNER_<ID>_WEBHOOK_VERIFY_TOKEN,
 *   PARTNER_<ID>_WEBHOOK_SUBSCRIPTION_ID
 *
 * A generation other than the current one reads the same names with the generation inserted:
 * PARTNER_WITHINGS_OAUTH1_AUTHORIZE_URL, PARTNER_WITHINGS_OAUTH1_CLIENT_ID (client id and secret
 * fall back to the partner-level ones). Every URL defaults to the declaration's real one.
 */

export type ResolvedOAuth2Generation = OAuth2Generation & {
  readonly name: string;
  readonly isCurrent: boolean;
  readonly clientId: string;
  readonly clientSecret: string;
};
export type ResolvedOAuth1Generation = OAuth1Generation & {
  readonly name: string;
  readonly isCurrent: boolean;
  readonly clientId: string;
  readonly clientSecret: string;
};
export type ResolvedGeneration = ResolvedOAuth2Generation | ResolvedOAuth1Generation;

export interface ResolvedPartner {
  readonly id: string;
  readonly declaration: PartnerDeclaration;
  readonly apiUrl: string;
  /** The current generation's client credentials. */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookVerifyToken?: string;
  /** The app's webhook subscription id at the partner (Strava's single push subscription). */
  readonly webhookSubscriptionId?: string;
  readonly current: string;
  readonly generations: Readonly<Record<string, ResolvedGeneration>>;
}

export class PartnerConfigError extends Error {
  override readonly name = 'PartnerConfigError';
  constructor(
    readonly partner: string,
    readonly problems: readonly string[],
  ) {
    super(`partner ${partner} is not configured: ${problems.join('; ')}`);
  }
}

/** `withings` -> `WITHINGS`, `google-health` -> `GOOGLE_HEALTH`. */
export function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The prefix of a generation's variables: `PARTNER_WITHINGS_` for the current one, `PARTNER_WITHINGS_OAUTH1_` otherwise. */
export function generationEnvPrefix(declaration: PartnerDeclaration, generation: string): string {
  const base = `PARTNER_${envName(declaration.id)}_`;
  return generation === declaration.auth.current ? base : `${base}${envName(generation)}_`;
}

type Env = Readonly<Record<string, string | undefined>>;

const URL_KEYS = {
  oauth2: { authorizeUrl: 'AUTHORIZE_URL', tokenUrl: 'TOKEN_URL', revokeUrl: 'REVOKE_URL' },
  oauth1: {
    requestTokenUrl: 'REQUEST_TOKEN_URL',
    authorizeUrl: 'AUTHORIZE_URL',
    accessTokenUrl: 'ACCESS_TOKEN_URL',
  },
} as const;

/** Every variable a partner reads, for documentation and `.env` templates. */
export function partnerEnvVariables(declaration: PartnerDeclaration): string[] {
  const base = `PARTNER_${envName(declaration.id)}_`;
  const names = [`${base}CLIENT_ID`, `${base}CLIENT_SECRET`, `${base}API_URL`];
  if (declaration.webhook) names.push(`${base}WEBHOOK_VERIFY_TOKEN`, `${base}WEBHOOK_SUBSCRIPTION_ID`);
  for (const [name, gen] of Object.entries(declaration.auth.generations)) {
    const prefix = generationEnvPrefix(declaration, name);
    if (prefix !== base) names.push(`${prefix}CLIENT_ID`, `${prefix}CLIENT_SECRET`);
    for (const key of Object.values(URL_KEYS[gen.kind])) names.push(`${prefix}${key}`);
  }
  return [...new Set(names)];
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

interface Collected {
  resolved: ResolvedPartner;
  problems: string[];
}

function collect(declaration: PartnerDeclaration, env: Env): Collected {
  const problems: string[] = [];
  const base = `PARTNER_${envName(declaration.id)}_`;
  const url = (name: string, fallback: string): string => {
    const value = nonEmpty(env[name]) ?? fallback;
    try {
      const u = new URL(value);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${name} must be an http(s) URL`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value.replace(/\/+$/, '');
  };

  const baseId = nonEmpty(env[`${base}CLIENT_ID`]);
  const baseSecret = nonEmpty(env[`${base}CLIENT_SECRET`]);
  const missing = new Set<string>();
  const generations: Record<string, ResolvedGeneration> = {};
  if (!(declaration.auth.current in declaration.auth.generations))
    problems.push(`the current generation ${declaration.auth.current} is not declared`);

  for (const [name, gen] of Object.entries(declaration.auth.generations) as [string, AuthGeneration][]) {
    const prefix = generationEnvPrefix(declaration, name);
    const clientId = nonEmpty(env[`${prefix}CLIENT_ID`]) ?? baseId;
    const clientSecret = nonEmpty(env[`${prefix}CLIENT_SECRET`]) ?? baseSecret;
    if (!clientId) missing.add(`${base}CLIENT_ID`);
    if (!clientSecret) missing.add(`${base}CLIENT_SECRET`);
    const common = {
      name,
      isCurrent: name === declaration.auth.current,
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? '',
    };
    if (gen.kind === 'oauth2') {
      const hasRevoke = gen.revokeUrl !== undefined || nonEmpty(env[`${prefix}REVOKE_URL`]) !== undefined;
      const revokeUrl = hasRevoke ? url(`${prefix}REVOKE_URL`, gen.revokeUrl ?? '') : undefined;
      generations[name] = {
        ...gen,
        ...common,
        authorizeUrl: url(`${prefix}AUTHORIZE_URL`, gen.authorizeUrl),
        tokenUrl: url(`${prefix}TOKEN_URL`, gen.tokenUrl),
        ...(revokeUrl !== undefined ? { revokeUrl } : {}),
      };
    } else {
      generations[name] = {
        ...gen,
        ...common,
        requestTokenUrl: url(`${prefix}REQUEST_TOKEN_URL`, gen.requestTokenUrl),
        authorizeUrl: url(`${prefix}AUTHORIZE_URL`, gen.authorizeUrl),
        accessTokenUrl: url(`${prefix}ACCESS_TOKEN_URL`, gen.accessTokenUrl),
      };
    }
  }
  if (missing.size > 0) problems.unshift(`missing ${[...missing].join(', ')}`);
  const current = generations[declaration.auth.current];
  const webhookVerifyToken = nonEmpty(env[`${base}WEBHOOK_VERIFY_TOKEN`]);
  const webhookSubscriptionId = nonEmpty(env[`${base}WEBHOOK_SUBSCRIPTION_ID`]);
  return {
    problems,
    resolved: {
      id: declaration.id,
      declaration,
      apiUrl: url(`${base}API_URL`, declaration.apiUrl),
      clientId: current?.clientId ?? '',
      clientSecret: current?.clientSecret ?? '',
      ...(webhookVerifyToken ? { webhookVerifyToken } : {}),
      ...(webhookSubscriptionId ? { webhookSubscriptionId } : {}),
      current: declaration.auth.current,
      generations,
    },
  };
}

/**
 * What is wrong with a partner's configuration, without throwing: `[]` when it is usable.
 * Lists every missing variable at once.
 */
export function checkPartnerConfig(declaration: PartnerDeclaration, env: Env = process.env): string[] {
  return collect(declaration, env).problems;
}

/** Resolve one installed partner's configuration; throws PartnerConfigError listing every problem. */
export function resolvePartnerConfig(
  declaration: PartnerDeclaration,
  env: Env = process.env,
): ResolvedPartner {
  const { resolved, problems } = collect(declaration, env);
  if (problems.length > 0) throw new PartnerConfigError(declaration.id, problems);
  return resolved;
}

/**
 * Resolve every installed partner at once; a process with several misconfigured partners
 * learns about all of them in one error.
 */
export function resolvePartnerConfigs(
  declarations: readonly PartnerDeclaration[],
  env: Env = process.env,
): Record<string, ResolvedPartner> {
  const out: Record<string, ResolvedPartner> = {};
  const all: string[] = [];
  for (const d of declarations) {
    const { resolved, problems } = collect(d, env);
    if (problems.length > 0) all.push(`${d.id}: ${problems.join('; ')}`);
    out[d.id] = resolved;
  }
  if (all.length > 0) throw new PartnerConfigError(declarations.map((d) => d.id).join(','), all);
  return out;
}

export function getGeneration(resolved: ResolvedPartner, generation: string): ResolvedGeneration {
  const gen = resolved.generations[generation];
  if (!gen) throw new PartnerConfigError(resolved.id, [`unknown auth generation ${generation}`]);
  return gen;
}

export function getOAuth2Generation(resolved: ResolvedPartner, generation: string): ResolvedOAuth2Generation {
  const gen = getGeneration(resolved, generation);
  if (gen.kind !== 'oauth2')
    throw new PartnerConfigError(resolved.id, [`generation ${generation} is not OAuth 2.0`]);
  return gen;
}

export function getOAuth1Generation(resolved: ResolvedPartner, generation: string): ResolvedOAuth1Generation {
  const gen = getGeneration(resolved, generation);
  if (gen.kind !== 'oauth1')
    throw new PartnerConfigError(resolved.id, [`generation ${generation} is not OAuth 1.0a`]);
  return gen;
}

export interface DevPartnerEnvOptions {
  clientId?: string;
  clientSecret?: string;
  webhookVerifyToken?: string;
  webhookSubscriptionId?: string;
}

/** Keep a real URL's path (and query) but move it onto the fake's origin. */
function onFake(fakeBaseUrl: string, realUrl: string): string {
  const real = new URL(realUrl);
  return `${fakeBaseUrl.replace(/\/+$/, '')}${real.pathname.replace(/\/+$/, '')}${real.search}`;
}

/**
 * The environment that points a partner at its fake: every URL keeps the real path on the
 * fake's origin (fakes serve the real paths), plus test client credentials. Merge it into a
 * service's env for tests and the local demo.
 */
export function createDevPartnerEnv(
  declaration: PartnerDeclaration,
  fakeBaseUrl: string,
  options: DevPartnerEnvOptions = {},
): Record<string, string> {
  const base = `PARTNER_${envName(declaration.id)}_`;
  const env: Record<string, string> = {
    [`${base}CLIENT_ID`]: options.clientId ?? `${declaration.id}-client`,
    [`${base}CLIENT_SECRET`]: options.clientSecret ?? `${declaration.id}-secret`,
    [`${base}API_URL`]: onFake(fakeBaseUrl, declaration.apiUrl),
  };
  if (options.webhookVerifyToken) env[`${base}WEBHOOK_VERIFY_TOKEN`] = options.webhookVerifyToken;
  if (options.webhookSubscriptionId) env[`${base}WEBHOOK_SUBSCRIPTION_ID`] = options.webhookSubscriptionId;
  for (const [name, gen] of Object.entries(declaration.auth.generations)) {
    const prefix = generationEnvPrefix(declaration, name);
    if (gen.kind === 'oauth2') {
      env[`${prefix}AUTHORIZE_URL`] = onFake(fakeBaseUrl, gen.authorizeUrl);
      env[`${prefix}TOKEN_URL`] = onFake(fakeBaseUrl, gen.tokenUrl);
      if (gen.revokeUrl) env[`${prefix}REVOKE_URL`] = onFake(fakeBaseUrl, gen.revokeUrl);
    } else {
      env[`${prefix}REQUEST_TOKEN_URL`] = onFake(fakeBaseUrl, gen.requestTokenUrl);
      env[`${prefix}AUTHORIZE_URL`] = onFake(fakeBaseUrl, gen.authorizeUrl);
      env[`${prefix}ACCESS_TOKEN_URL`] = onFake(fakeBaseUrl, gen.accessTokenUrl);
    }
  }
  return env;
}
