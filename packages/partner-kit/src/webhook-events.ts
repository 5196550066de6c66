import type { DataKind } from '@healthsync/contracts';
import { z } from 'zod';
import type {
  WebhookContext,
  WebhookNotification,
  WebhookRequest,
  WebhookResponse,
  WebhookSpec,
} from './define-partner.js';
import { notificationsByUser, readFormWithQuery, readJsonBody } from './webhook.js';

/** One event of a body: the body itself, or each element when the body is a list (Fitbit batches). */
type EventOf<S extends z.ZodType> = z.output<S> extends readonly (infer E)[] ? E : z.output<S>;

/** A JSON event read without a schema of its own: an object (its fields checked where they are read). */
const JsonEvent = z.record(z.string(), z.unknown());
/** A JSON body of one event or a list of them, as a list. */
const JsonEvents = z
  .union([JsonEvent, z.array(JsonEvent)])
  .transform((body) => (Array.isArray(body) ? body : [body]));

/**
 * Where the events are and what they mean, as data: the body's tolerant schema (`json`: the raw
 * body as JSON; `form`: a form body merged over the query, where legacy callbacks put the fields;
 * neither: a JSON event or list of events, each an object, checked only where it is read), the dot
 * paths of the user's id and of the app's subscription id, and the kinds each event makes due (a
 * code table, or computed).
 */
export type WebhookEventsSpec<S extends z.ZodType> = (
  | { readonly json: S; readonly form?: undefined }
  | { readonly form: S; readonly json?: undefined }
  | { readonly json?: undefined; readonly form?: undefined }
) & {
  /** The user's id in an event (a string, or an integer id read as its decimal string). */
  readonly user: string;
  /** The kinds an event makes due: by the code at `from` (a code not listed: none), or computed. */
  readonly kinds:
    | { readonly from: string; readonly table: Readonly<Record<string, readonly DataKind[]>> }
    | ((event: EventOf<S>) => readonly DataKind[]);
  /** The event says the user revoked access. */
  readonly revoked?: (event: EventOf<S>) => boolean;
  /** The subscription an event belongs to: checked against the context's `subscriptionId` when one is configured. */
  readonly subscription?: string;
  /** A check of the request itself (a signature: `hmacHeader(...).verify`), before the body is read. */
  readonly authentic?: (req: WebhookRequest, ctx: WebhookContext) => boolean;
  /** The answers to an accepted and to a rejected request (default: 200 and 400, plain HTTP's). */
  readonly accepted?: WebhookResponse;
  readonly rejected?: WebhookResponse;
};

/** The plain HTTP answers to a webhook request: taken (200), refused (400). */
const ANSWERS = { accepted: { status: 200 }, rejected: { status: 400 } } as const;

type Handshake = NonNullable<WebhookSpec['handshake']>;

/** What `webhookEvents` builds: a `WebhookSpec` (with the handshake when one is given). */
export interface EventsWebhook {
  readonly accepted: WebhookResponse;
  readonly rejected: WebhookResponse;
  verify(req: WebhookRequest, ctx?: WebhookContext): boolean;
  parse(req: WebhookRequest): WebhookNotification[];
}

const at = (event: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as never)[k] : undefined),
      event,
    );
const idText = (v: unknown) =>
  (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v) && v >= 0)
    ? String(v)
    : undefined;
const codeText = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/**
 * A webhook whose body carries events (`WebhookEventsSpec`), whole: its `handshake` when it has
 * one, its answers (`accepted`, `rejected`), and
 * - `verify`: a POST that passes `authentic` (when given) with a body the schema reads, every event
 *   naming its user and in the configured subscription;
 * - `parse`: one notification per user, with every kind its events make due and `revoked` when one
 *   says so; an event that makes nothing due (an unlisted code, no revocation) is left out. A body
 *   the schema does not read, or an event without a user id, throws (`malformed webhook body`).
 */
export function webhookEvents<S extends z.ZodType = typeof JsonEvents, H extends Handshake = Handshake>(
  spec: WebhookEventsSpec<S> & { readonly handshake: H },
): EventsWebhook & { readonly handshake: H };
export function webhookEvents<S extends z.ZodType = typeof JsonEvents>(
  spec: WebhookEventsSpec<S>,
): EventsWebhook;
export function webhookEvents<S extends z.ZodType>(
  spec: WebhookEventsSpec<S> & { readonly handshake?: Handshake },
): EventsWebhook {
  const { kinds } = spec;
  // Every event names its user and, with a code table, its code.
  const readable = (e: unknown) =>
    idText(at(e, spec.user)) !== undefined &&
    (typeof kinds === 'function' || codeText(at(e, kinds.from)) !== undefined);
  const read = (req: WebhookRequest): EventOf<S>[] | undefined => {
    const body = spec.form ? readFormWithQuery(req, spec.form) : readJsonBody(req, spec.json ?? JsonEvents);
    const events = body === undefined ? undefined : ((Array.isArray(body) ? body : [body]) as EventOf<S>[]);
    return events?.every(readable) ? events : undefined;
  };
  const kindsOf = (event: EventOf<S>): readonly DataKind[] => {
    if (typeof kinds === 'function') return kinds(event);
    const key = codeText(at(event, kinds.from));
    return key !== undefined && Object.hasOwn(kinds.table, key) ? (kinds.table[key] ?? []) : [];
  };
  const { handshake, accepted = ANSWERS.accepted, rejected = ANSWERS.rejected } = spec;
  return {
    ...(handshake && { handshake }),
    accepted,
    rejected,
    verify(req: WebhookRequest, ctx?: WebhookContext): boolean {
      if (req.method !== 'POST' || (spec.authentic && !(ctx && spec.authentic(req, ctx)))) return false;
      const events = read(req);
      const wanted = ctx?.subscriptionId;
      const sub = spec.subscription;
      return (
        events !== undefined &&
        (sub === undefined || wanted === undefined || events.every((e) => idText(at(e, sub)) === wanted))
      );
    },
    parse(req: WebhookRequest): WebhookNotification[] {
      const events = read(req);
      if (!events) throw new Error('malformed webhook body');
      // Events that make nothing due (no kind, not a revocation) are left out.
      return notificationsByUser(
        events.flatMap((event) => {
          const kinds = kindsOf(event);
          const revoked = spec.revoked?.(event) === true;
          if (kinds.length === 0 && !revoked) return [];
          return [{ externalUserId: idText(at(event, spec.user)) ?? '', kinds, revoked }];
        }),
      );
    },
  };
}
