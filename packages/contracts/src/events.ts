import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { DataKind, DataTypes, PartnerId, UserId } from './envelope.js';

const ConnectionRef = z.object({ userId: UserId, partner: PartnerId });

export const connectionConnected = defineEvent({
  type: 'connection.connected',
  version: 1,
  description: 'A user connected (or reconnected) a partner account.',
  payload: ConnectionRef.extend({
    externalUserId: z.string().min(1),
    /** Which auth generation the credentials belong to (e.g. withings `oauth2` or `oauth1`). */
    generation: z.string().min(1),
    dataTypes: DataTypes,
    reconnect: z.boolean(),
    accountChanged: z.boolean(),
  }),
  routingKey: (p) => `connection.connected.${p.partner}`,
  routingPattern: 'connection.connected.*',
  example: {
    userId: 'u-1',
    partner: 'withings',
    externalUserId: '363',
    generation: 'oauth2',
    dataTypes: { poll: ['measurement'], push: [] },
    reconnect: false,
    accountChanged: false,
  },
});

export const connectionDisconnected = defineEvent({
  type: 'connection.disconnected',
  version: 1,
  description: 'A user disconnected a partner; the tokens are gone.',
  payload: ConnectionRef,
  routingKey: (p) => `connection.disconnected.${p.partner}`,
  routingPattern: 'connection.disconnected.*',
  example: { userId: 'u-1', partner: 'fitbit' },
});

export const connectionPreferencesChanged = defineEvent({
  type: 'connection.preferences-changed',
  version: 1,
  description: 'The data types a user wants polled from / pushed to a partner changed.',
  payload: ConnectionRef.extend({ dataTypes: DataTypes }),
  routingKey: (p) => `connection.preferences-changed.${p.partner}`,
  routingPattern: 'connection.preferences-changed.*',
  example: { userId: 'u-1', partner: 'fitbit', dataTypes: { poll: ['exercise'], push: ['measurement'] } },
});

export const connectionNeedsReauth = defineEvent({
  type: 'connection.needs-reauth',
  version: 1,
  description: 'The partner refused our credentials; the user must connect again.',
  payload: ConnectionRef.extend({ reason: z.string().min(1).max(500) }),
  routingKey: (p) => `connection.needs-reauth.${p.partner}`,
  routingPattern: 'connection.needs-reauth.*',
  example: { userId: 'u-1', partner: 'strava', reason: 'auth_revoked: refresh token rejected 3 times' },
});

export const shapeupDataChanged = defineEvent({
  type: 'shapeup.data-changed',
  version: 1,
  description: 'A row of the app data (exercise, food, measurement) was inserted, updated or deleted.',
  payload: z.object({
    userId: UserId,
    kind: DataKind,
    itemId: z.string().min(1),
    op: z.enum(['upsert', 'delete']),
    /** Monotonic per row: the row's updated_at in microseconds since the epoch, as a string. */
    version: z.string().min(1),
  }),
  routingKey: (p) => `shapeup.data-changed.${p.kind}`,
  routingPattern: 'shapeup.data-changed.*',
  example: { userId: 'u-1', kind: 'measurement', itemId: '42', op: 'upsert', version: '1732300000000000' },
});

export const SyncReason = z.enum(['poll', 'push', 'notified', 'requested']);

export const syncDue = defineEvent({
  type: 'sync.due',
  version: 1,
  description: 'The scheduler leased a connection; the partner worker should sync it now.',
  payload: ConnectionRef.extend({
    reasons: z.array(SyncReason).min(1),
    dueAt: z.iso.datetime({ offset: true }),
    /** Fencing token: the worker's writes must carry it; a stale one changes nothing. */
    fence: z.number().int().nonnegative(),
    leaseExpiresAt: z.iso.datetime({ offset: true }),
  }),
  routingKey: (p) => `sync.due.${p.partner}`,
  routingPattern: 'sync.due.*',
  example: {
    userId: 'u-1',
    partner: 'withings',
    reasons: ['poll'],
    dueAt: '2026-11-23T10:00:00.000Z',
    fence: 7,
    leaseExpiresAt: '2026-11-23T10:05:00.000Z',
  },
});

export const syncPushPending = defineEvent({
  type: 'sync.push-pending',
  version: 1,
  description: 'Sync items wait to be pushed to a partner for a user.',
  payload: ConnectionRef.extend({ count: z.number().int().positive() }),
  routingKey: (p) => `sync.push-pending.${p.partner}`,
  routingPattern: 'sync.push-pending.*',
  example: { userId: 'u-1', partner: 'fitbit', count: 2 },
});

export const SyncOutcome = z.enum(['ok', 'partial', 'deferred', 'failed', 'skipped']);
export type SyncOutcome = z.infer<typeof SyncOutcome>;

export const syncCompleted = defineEvent({
  type: 'sync.completed',
  version: 1,
  description: 'A worker finished (or gave up) a leased sync of one connection.',
  payload: ConnectionRef.extend({
    fence: z.number().int().nonnegative(),
    reasons: z.array(SyncReason),
    pushed: z.number().int().nonnegative(),
    pushPending: z.number().int().nonnegative(),
    polledNew: z.number().int().nonnegative(),
    polledKinds: z.array(DataKind),
    rejected: z.number().int().nonnegative(),
    outcome: SyncOutcome,
    retryAt: z.iso.datetime({ offset: true }).optional(),
    error: z.object({ code: z.string(), message: z.string().max(1000) }).optional(),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
  }),
  routingKey: (p) => `sync.completed.${p.partner}`,
  routingPattern: 'sync.completed.*',
  example: {
    userId: 'u-1',
    partner: 'withings',
    fence: 7,
    reasons: ['poll'],
    pushed: 0,
    pushPending: 0,
    polledNew: 3,
    polledKinds: ['measurement'],
    rejected: 0,
    outcome: 'ok',
    startedAt: '2026-11-23T10:00:00.100Z',
    finishedAt: '2026-11-23T10:00:00.900Z',
  },
});

export const partnerNotified = defineEvent({
  type: 'partner.notified',
  version: 1,
  description: 'A partner webhook said new data exists for a user.',
  payload: ConnectionRef.extend({ kinds: z.array(DataKind) }),
  routingKey: (p) => `partner.notified.${p.partner}`,
  routingPattern: 'partner.notified.*',
  example: { userId: 'u-1', partner: 'fitbit', kinds: ['measurement'] },
});

export const SyncScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connection'), userId: UserId, partner: PartnerId }),
  z.object({ kind: z.literal('user'), userId: UserId }),
  z.object({ kind: z.literal('partner'), partner: PartnerId }),
  z.object({ kind: z.literal('everyone') }),
]);
export type SyncScope = z.infer<typeof SyncScope>;

export const syncRequested = defineEvent({
  type: 'sync.requested',
  version: 1,
  description: 'An operator asked for an immediate sync of some connections.',
  payload: z.object({ scope: SyncScope, requestedBy: z.string().min(1) }),
  routingKey: () => 'sync.requested',
  routingPattern: 'sync.requested',
  example: { scope: { kind: 'user', userId: 'u-1' }, requestedBy: 'operator' },
});

/** Every event of DESIGN.md §3, by type. */
export const catalog = {
  'connection.connected': connectionConnected,
  'connection.disconnected': connectionDisconnected,
  'connection.preferences-changed': connectionPreferencesChanged,
  'connection.needs-reauth': connectionNeedsReauth,
  'shapeup.data-changed': shapeupDataChanged,
  'sync.due': syncDue,
  'sync.push-pending': syncPushPending,
  'sync.completed': syncCompleted,
  'partner.notified': partnerNotified,
  'sync.requested': syncRequested,
} as const;

export type Catalog = typeof catalog;
export type EventType = keyof Catalog;
export type EventPayload<T extends EventType> = z.infer<Catalog[T]['payload']>;
