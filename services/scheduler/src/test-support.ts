import type { DataKind, EventPayload, EventType } from '@healthsync/contracts';
import type { PartnerDeclaration, RateLimit } from '@healthsync/partner-kit/declaration';
import { createEvent, type Db, migrate, type OutgoingEvent, parseEnvelope, sql } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { migrations, SCHEMA } from './db/migrations/index.js';

/** Shared by the scheduler's tests: partner declarations, events and a migrated database. */

export interface TestPartnerOptions {
  readonly rateLimits?: readonly RateLimit[];
  readonly webhooks?: boolean;
  readonly pollKinds?: readonly DataKind[];
}

export function testDeclaration(id: string, options: TestPartnerOptions = {}): PartnerDeclaration {
  const kinds = options.pollKinds ?? ['measurement'];
  return {
    id,
    displayName: id,
    apiUrl: `https://${id}.example`,
    docs: `https://${id}.example/docs`,
    auth: {
      current: 'oauth2',
      generations: {
        oauth2: {
          kind: 'oauth2',
          authorizeUrl: `https://${id}.example/authorize`,
          tokenUrl: `https://${id}.example/token`,
          scopes: [],
          scopeSeparator: ' ',
          pkce: true,
          clientAuth: 'basic',
          refresh: 'rotating',
        },
      },
    },
    capabilities: Object.fromEntries(
      kinds.map((k) => [k, { poll: true, push: true, update: true, delete: false }]),
    ),
    rateLimits: options.rateLimits ?? [],
    ...(options.webhooks
      ? {
          webhook: {
            verify: () => true,
            parse: () => [],
            accepted: { status: 204 },
            rejected: { status: 401 },
          },
        }
      : {}),
  };
}

export function event<T extends EventType>(type: T, payload: EventPayload<T>, at: Date): OutgoingEvent<T> {
  return createEvent(type, payload, { source: 'test', occurredAt: at });
}

export const connected = (
  partner: string,
  userId: string,
  at: Date,
  extra: Partial<EventPayload<'connection.connected'>> = {},
) =>
  event(
    'connection.connected',
    {
      userId,
      partner,
      externalUserId: `ext-${userId}`,
      generation: 'oauth2',
      dataTypes: { poll: ['measurement'], push: ['measurement'] },
      reconnect: false,
      accountChanged: false,
      ...extra,
    },
    at,
  ).envelope;

export function completed(
  due: EventPayload<'sync.due'>,
  finishedAt: Date,
  extra: Partial<EventPayload<'sync.completed'>> = {},
) {
  return event(
    'sync.completed',
    {
      userId: due.userId,
      partner: due.partner,
      fence: due.fence,
      reasons: due.reasons,
      pushed: 0,
      pushPending: 0,
      polledNew: 0,
      polledKinds: ['measurement'],
      rejected: 0,
      outcome: 'ok',
      startedAt: new Date(finishedAt.getTime() - 500).toISOString(),
      finishedAt: finishedAt.toISOString(),
      ...extra,
    },
    finishedAt,
  ).envelope;
}

export async function migrateScheduler(db: Db): Promise<void> {
  await migrate(db, { schema: SCHEMA, migrations });
}

/** A fresh database (from a migrated template) for one test file. */
export function schedulerTestDatabase(poolSize = 5): Promise<TestDatabase> {
  return createTestDatabase({
    template: { name: `scheduler_${Object.keys(migrations).length}_v1`, migrate: migrateScheduler },
    poolSize,
  });
}

/**
 * The `sync.due` events in the outbox, oldest first, after the first `skip` (tests stand in for the
 * broker), parsed with the catalog's schema: the dispatch statement builds these envelopes in SQL.
 */
export async function outboxDue(db: Db, skip = 0): Promise<EventPayload<'sync.due'>[]> {
  const { rows } = await sql<{ envelope: unknown }>`
    select envelope from scheduler.outbox where type = 'sync.due' order by seq offset ${skip}`.execute(db);
  return rows.map((r) => {
    const envelope = parseEnvelope(r.envelope);
    if (envelope.type !== 'sync.due') throw new Error(`unexpected ${envelope.type} in the outbox`);
    return envelope.payload as EventPayload<'sync.due'>;
  });
}
