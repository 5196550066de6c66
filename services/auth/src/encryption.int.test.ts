import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '@healthsync/platform';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, DecryptError } from './crypto/key-ring.js';
import { openCredentials, openPending } from './crypto/secrets.js';
import { rewrap } from './domain/rewrap.js';
import { acmeSetup, beginConnect, connectThrough, startHarness, withingsSetup } from './testing/harness.js';

const run = promisify(execFile);
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ringV1 = createKeyRing(new Map([['k1', k1]]), 'k1');
const ringV2 = createKeyRing(
  new Map([
    ['k1', k1],
    ['k2', k2],
  ]),
  'k2',
);
const ringV2Only = createKeyRing(new Map([['k2', k2]]), 'k2');

const partners = { acme: acmeSetup(), withings: withingsSetup };
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;
const USERS = Array.from({ length: 24 }, (_, i) => `enc-${String(i).padStart(2, '0')}`);

interface Row {
  user_id: string;
  partner: string;
  auth_generation: string;
  epoch: number;
  key_id: string;
  sealed: Buffer;
}

async function rows(): Promise<Row[]> {
  const r =
    await sql<Row>`select user_id, partner, auth_generation, epoch, key_id, sealed from auth.credentials order by user_id, partner`.execute(
      h.db,
    );
  return r.rows;
}

const identity = (r: Row) => ({
  userId: r.user_id,
  partner: r.partner,
  authGeneration: r.auth_generation,
  epoch: r.epoch,
});

beforeAll(async () => {
  h = await startHarness({ partners, keyRing: ringV1 });
  for (const u of USERS) expect((await connectThrough(h, u, 'acme')).status).toBe('connected');
  expect(
    (await connectThrough(h, 'enc-legacy', 'withings', { generation: 'oauth1', user: '31337' })).status,
  ).toBe('connected');
});
afterAll(async () => {
  await h?.close();
});

describe('credentials at rest', () => {
  it('a flipped bit in a stored row fails to decrypt, and the API answers without any token', async () => {
    const [row] = await rows();
    if (!row) throw new Error('no rows');
    const data = Buffer.from(row.sealed);
    data[20] = (data[20] ?? 0) ^ 0x80;
    expect(() => openCredentials(h.keyRing, { keyId: row.key_id, data }, identity(row))).toThrow(
      DecryptError,
    );
    const original = row.sealed;
    await sql`update auth.credentials set sealed = ${data} where user_id = ${row.user_id} and partner = ${row.partner}`.execute(
      h.db,
    );
    try {
      const res = await h.api(`/internal/v1/credentials/${row.partner}/${row.user_id}`, {
        method: 'POST',
        token: await h.serviceToken(),
        json: {},
      });
      expect(res.status).toBe(500);
      expect(res.json()).toMatchObject({ code: 'credentials_unreadable' });
    } finally {
      await sql`update auth.credentials set sealed = ${original} where user_id = ${row.user_id} and partner = ${row.partner}`.execute(
        h.db,
      );
    }
  });

  it('a ciphertext swapped between two rows fails to decrypt in both', async () => {
    const [a, b] = await rows();
    if (!a || !b) throw new Error('no rows');
    expect(() => openCredentials(h.keyRing, { keyId: b.key_id, data: b.sealed }, identity(a))).toThrow(
      DecryptError,
    );
    expect(() => openCredentials(h.keyRing, { keyId: a.key_id, data: a.sealed }, identity(b))).toThrow(
      DecryptError,
    );
    await sql`update auth.credentials set sealed = ${b.sealed} where user_id = ${a.user_id} and partner = ${a.partner}`.execute(
      h.db,
    );
    await sql`update auth.credentials set sealed = ${a.sealed} where user_id = ${b.user_id} and partner = ${b.partner}`.execute(
      h.db,
    );
    try {
      for (const r of [a, b]) {
        const res = await h.api(`/internal/v1/credentials/${r.partner}/${r.user_id}`, {
          method: 'POST',
          token: await h.serviceToken(),
          json: {},
        });
        expect(res.status).toBe(500);
      }
    } finally {
      await sql`update auth.credentials set sealed = ${a.sealed} where user_id = ${a.user_id} and partner = ${a.partner}`.execute(
        h.db,
      );
      await sql`update auth.credentials set sealed = ${b.sealed} where user_id = ${b.user_id} and partner = ${b.partner}`.execute(
        h.db,
      );
    }
  });

  it('a pg_dump of the database contains no token, token secret or PKCE verifier', async () => {
    // One authorization left pending: its PKCE verifier is in the database too.
    const pending = await beginConnect(h, 'enc-pending', 'acme');
    const state = new URL(pending.authorizeUrl).searchParams.get('state') ?? '';
    const secrets: string[] = [state];
    for (const r of await rows()) {
      const s = openCredentials(h.keyRing, { keyId: r.key_id, data: r.sealed }, identity(r));
      if (s.kind === 'oauth2') secrets.push(s.accessToken, ...(s.refreshToken ? [s.refreshToken] : []));
      else secrets.push(s.token, s.tokenSecret);
    }
    const p = await sql<{ state_hash: Buffer; key_id: string; sealed: Buffer }>`
      select state_hash, key_id, sealed from auth.pending_authorizations where user_id = 'enc-pending'`.execute(
      h.db,
    );
    const pendingRow = p.rows[0];
    if (!pendingRow) throw new Error('no pending row');
    const verifier = openPending(
      h.keyRing,
      { keyId: pendingRow.key_id, data: pendingRow.sealed },
      pendingRow.state_hash,
    ).codeVerifier;
    expect(verifier).toBeTruthy();
    secrets.push(verifier ?? '');

    const { stdout } = await run('pg_dump', ['--no-owner', '--dbname', h.database.url], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toContain('auth.credentials');
    expect(secrets.length).toBeGreaterThan(USERS.length * 2);
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(stdout.includes(s)).toBe(false);
      // Nor hex-encoded inside a bytea.
      expect(stdout.includes(Buffer.from(s).toString('hex'))).toBe(false);
    }
  });
});

describe('rewrap', () => {
  it('moves every row to the new primary key online: concurrent reads never fail, a second run changes nothing', async () => {
    // A second process with the rotated ring (old key decrypt-only) serves reads throughout.
    const reader = await h.spawnInstance({ keyRing: ringV2 });
    const token = await h.serviceToken();
    let stop = false;
    const statuses: number[] = [];
    const readers = Array.from({ length: 4 }, async (_, w) => {
      let i = w;
      while (!stop) {
        const user = USERS[i++ % USERS.length];
        const res = await fetch(`${reader.url}/internal/v1/credentials/acme/${user}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    });
    const logger = createLogger('rewrap-test', 'silent');
    const first = await rewrap({ db: h.db, keyRing: ringV2, logger }, { batchSize: 5 });
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(readers);

    expect(first.failed).toBe(0);
    expect(first.rewrapped).toBeGreaterThanOrEqual(USERS.length + 1);
    expect(first.batches).toBeGreaterThan(1);
    expect(statuses.length).toBeGreaterThan(USERS.length);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const after = await rows();
    expect(after.every((r) => r.key_id === 'k2')).toBe(true);
    // Without the old key, everything still opens.
    for (const r of after)
      expect(() =>
        openCredentials(ringV2Only, { keyId: r.key_id, data: r.sealed }, identity(r)),
      ).not.toThrow();

    // Second run, through the CLI as an operator runs it: nothing to do, nothing written.
    const snapshot = after.map((r) => r.sealed.toString('hex'));
    const cli = fileURLToPath(new URL('./cli/rewrap.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli], {
      env: {
        ...process.env,
        DATABASE_URL: h.database.url,
        AUTH_ENCRYPTION_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`,
        AUTH_ENCRYPTION_PRIMARY_KEY: 'k2',
        LOG_LEVEL: 'silent',
      },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      rewrapped: 0,
      failed: 0,
      batches: 0,
    });
    expect((await rows()).map((r) => r.sealed.toString('hex'))).toEqual(snapshot);
  });
});
