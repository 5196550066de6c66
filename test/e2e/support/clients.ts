import type { DataKind } from '@healthsync/contracts';
import { submitConsent } from '@healthsync/partner-kit/fake';
import { SignJWT } from 'jose';
import { z } from 'zod';

/** A JWT as the app's backend issues it (`sub` = user id; `role: service` acts for anyone). */
export async function bearer(secret: string, sub: string, role?: 'service'): Promise<string> {
  const jwt = await new SignJWT(role ? { role } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
  return `Bearer ${jwt}`;
}

const Created = z.object({ authorizeUrl: z.url(), expiresAt: z.string() });

export interface ConnectOptions {
  readonly authUrl: string;
  readonly authorization: string;
  readonly userId: string;
  readonly partner: string;
  readonly returnUrl: string;
  readonly dataTypes?: { poll: DataKind[]; push: DataKind[] };
  /** The partner-side account to consent as (default: the one the consent page suggests). */
  readonly partnerUser?: string;
}

export interface Connected {
  /** Where the browser ended up: the return URL with `status`. */
  readonly location: URL;
  /** The partner-side account the user consented as. */
  readonly partnerUser: string;
}

/**
 * Connect a partner as a user does: ask auth for the consent URL, go through the partner's
 * consent page (the fake's form), follow the partner's redirect to auth's callback, and read
 * where auth sends the browser.
 */
export async function connectThroughOAuth(o: ConnectOptions): Promise<Connected> {
  const res = await fetch(
    `${o.authUrl}/v1/users/${encodeURIComponent(o.userId)}/connections/${encodeURIComponent(o.partner)}`,
    {
      method: 'POST',
      headers: { authorization: o.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ returnUrl: o.returnUrl, ...(o.dataTypes ? { dataTypes: o.dataTypes } : {}) }),
    },
  );
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST connection ${o.partner}: HTTP ${res.status} ${text}`);
  const { authorizeUrl } = Created.parse(JSON.parse(text));
  let consentedAs = o.partnerUser;
  const callback = await submitConsent(authorizeUrl, {
    decision: 'allow',
    ...(o.partnerUser ? { user: o.partnerUser } : {}),
    fetch: async (input, init) => {
      // Remember which account the form was submitted for (the fake suggests one when not told).
      if (init?.method === 'POST' && init.body instanceof URLSearchParams)
        consentedAs = init.body.get('fake_user') ?? consentedAs;
      return fetch(input, init);
    },
  });
  const done = await fetch(callback, { redirect: 'manual' });
  await done.arrayBuffer();
  const location = done.headers.get('location');
  if (done.status !== 302 && done.status !== 303)
    throw new Error(`callback of ${o.partner}: HTTP ${done.status}, expected a redirect`);
  if (!location) throw new Error(`callback of ${o.partner}: redirect without Location`);
  if (!consentedAs) throw new Error('the consent form named no partner account');
  return { location: new URL(location, callback), partnerUser: consentedAs };
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = (l[2] ?? '').replace(/\\(.)/g, '$1');
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return parsePrometheus(text);
}

/** The scheduler's view of one connection (`GET /admin/v1/connections/{partner}/{userId}`). */
export const ScheduleView = z.looseObject({
  partner: z.string(),
  userId: z.string(),
  status: z.enum(['active', 'disconnected', 'needs_reauth']),
  group: z.number(),
  dueAt: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  lastOutcome: z.string().nullable(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

export async function schedule(
  schedulerUrl: string,
  authorization: string,
  partner: string,
  userId: string,
): Promise<ScheduleView | undefined> {
  const res = await fetch(
    `${schedulerUrl}/admin/v1/connections/${encodeURIComponent(partner)}/${encodeURIComponent(userId)}`,
    { headers: { authorization } },
  );
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET schedule ${partner}/${userId}: HTTP ${res.status} ${text}`);
  return ScheduleView.parse(JSON.parse(text));
}
