import {
  type Context,
  type ContextManager,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.js';
import { createEvent, parseEnvelope } from '../envelope.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { outboxCtes, outboxCtesFromQuery } from './outbox.js';

const schema = 'q';
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await migrate(t.db, { schema, migrations: {} });
  await sql`create table q.items (user_id text primary key, partner text not null, fence int not null)`.execute(
    t.db,
  );
});

afterAll(async () => {
  await t?.drop();
});

beforeEach(async () => {
  await sql`truncate q.items, q.outbox, q.event_log`.execute(t.db);
  await sql`insert into q.items values ('u1', 'fitbit', 3), ('u2', 'withings', 4), ('u3', 'fitbit', 5)`.execute(
    t.db,
  );
});

const occurredAt = new Date('2026-11-23T10:00:00.000Z');

/** Bump the fence of the given users and write one sync.due each, in one statement. */
function claimAndEmit(users: string[]) {
  return sql<{ n: number }>`
    with bumped as (
      update q.items set fence = fence + 1 where user_id = any(${users}::text[])
      returning user_id, partner, fence
    ), ${outboxCtesFromQuery(schema, {
      type: 'sync.due',
      source: 'outbox-test',
      occurredAt,
      rows: sql`
        select 'sync.due.' || partner as routing_key, partner || ':' || user_id as stream,
          '{"userId":' || to_json(user_id) || ',"partner":' || to_json(partner) || ',"reasons":["poll"]'
          || ',"dueAt":"2026-11-23T09:59:00.000Z","fence":' || fence
          || ',"leaseExpiresAt":"2026-11-23T10:05:00.000Z"}' as payload
        from bumped`,
    })}
    select count(*)::int as n from hs_outbox_input`;
}

interface Written {
  id: string;
  type: string;
  routing_key: string;
  envelope: Record<string, unknown>;
  headers: Record<string, string>;
  logged: Record<string, unknown>;
  stream: string;
}

async function written(): Promise<Written[]> {
  const { rows } = await sql<Written>`
    select o.id::text as id, o.type, o.routing_key, o.envelope, o.headers, l.envelope as logged, l.stream
    from q.outbox o join q.event_log l on l.event_id = o.id and l.direction = 'emitted'
    order by o.envelope #>> '{payload,userId}'`.execute(t.db);
  return rows;
}

describe('outboxCtesFromQuery', () => {
  it('writes one outbox row and one event-log entry per row of the query, in the statement that made the rows', async () => {
    const before = Date.now();
    const { rows } = await claimAndEmit(['u1', 'u2']).execute(t.db);
    expect(rows[0]!.n).toBe(2);
    const out = await written();
    expect(out.map((w) => [w.routing_key, w.stream])).toEqual([
      ['sync.due.fitbit', 'fitbit:u1'],
      ['sync.due.withings', 'withings:u2'],
    ]);
    for (const w of out) {
      expect(w.type).toBe('sync.due');
      expect(w.logged).toEqual(w.envelope);
      // A UUIDv7 of the statement's millisecond, the same in the column and the envelope.
      expect(w.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = Number.parseInt(w.id.replace('-', '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now());
      expect(w.envelope.id).toBe(w.id);
    }
    expect(new Set(out.map((w) => w.id)).size).toBe(2);
    // The payload carries the values the statement itself produced.
    expect(out.map((w) => (w.envelope.payload as { fence: number }).fence)).toEqual([4, 5]);
  });

  it('makes the envelope createEvent makes (same keys and values but the id), valid for the catalog', async () => {
    await claimAndEmit(['u1']).execute(t.db);
    const [w] = await written();
    const made = createEvent(
      'sync.due',
      {
        userId: 'u1',
        partner: 'fitbit',
        reasons: ['poll'],
        dueAt: '2026-11-23T09:59:00.000Z',
        fence: 4,
        leaseExpiresAt: '2026-11-23T10:05:00.000Z',
      },
      { source: 'outbox-test', occurredAt },
    );
    expect(parseEnvelope(w!.envelope)).toEqual(w!.envelope);
    expect(w!.envelope).toEqual({ ...made.envelope, id: w!.id, correlationId: w!.id });
    expect(w!.routing_key).toBe(made.routingKey);
  });

  it('carries the active trace context in the headers, like outboxCtes', async () => {
    // A W3C-style propagator of the active span context (the service registers the SDK's).
    const w3c: TextMapPropagator = {
      inject(ctx, carrier, setter) {
        const span = trace.getSpanContext(ctx);
        if (span) setter.set(carrier, 'traceparent', `00-${span.traceId}-${span.spanId}-01`);
      },
      extract: (ctx) => ctx,
      fields: () => ['traceparent'],
    };
    // A synchronous context manager: both statements are built inside `with`.
    const stack: Context[] = [];
    const manager: ContextManager = {
      active: () => stack.at(-1) ?? ROOT_CONTEXT,
      with(ctx, fn, thisArg, ...args) {
        stack.push(ctx);
        try {
          return fn.call(thisArg, ...args);
        } finally {
          stack.pop();
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        stack.length = 0;
        return this;
      },
    };
    propagation.setGlobalPropagator(w3c);
    context.setGlobalContextManager(manager);
    const traced = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    const made = createEvent(
      'sync.due',
      {
        userId: 'u9',
        partner: 'fitbit',
        reasons: ['poll'],
        dueAt: '2026-11-23T09:59:00.000Z',
        fence: 1,
        leaseExpiresAt: '2026-11-23T10:05:00.000Z',
      },
      { source: 'outbox-test' },
    );
    const [fromQuery, fromEvents] = (() => {
      try {
        return context.with(traced, () => [
          claimAndEmit(['u2']),
          sql`with ${outboxCtes(schema, [made])} select 1`,
        ]);
      } finally {
        propagation.disable();
        context.disable();
      }
    })();
    await fromQuery!.execute(t.db);
    await fromEvents!.execute(t.db);
    const { rows } = await sql<{ headers: Record<string, string> }>`select headers from q.outbox`.execute(
      t.db,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.headers).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(rows[1]!.headers).toEqual(rows[0]!.headers);
  });

  it('writes nothing when the query yields no row, and nothing when the statement fails', async () => {
    expect((await claimAndEmit(['nobody']).execute(t.db)).rows[0]!.n).toBe(0);
    await expect(
      sql`
        with ${outboxCtesFromQuery(schema, {
          type: 'sync.due',
          source: 'outbox-test',
          occurredAt,
          rows: sql`select 'sync.due.fitbit' as routing_key, 'fitbit:u1' as stream, '{"broken"' as payload`,
        })}
        select 1`.execute(t.db),
    ).rejects.toThrow(/json/i);
    expect(await written()).toEqual([]);
  });
});
