import type { DataKind } from '@healthsync/contracts';
import type {
  WebhookNotification,
  WebhookRequest,
  WebhookResponse,
  WebhookSpec,
} from '@healthsync/partner-kit';
import { createEvent, type OutgoingEvent, withTransaction } from '@healthsync/platform';
import { type AuthContext, emit, SOURCE } from '../context.js';
import type { InstalledPartner } from '../partners.js';
import { findUsersByExternalIds, markNeedsReauth } from '../repositories/connections.repository.js';

export interface WebhookResult {
  readonly response: WebhookResponse;
  /** accepted | rejected | handshake: for logs and metrics. */
  readonly outcome: 'accepted' | 'rejected' | 'handshake';
  readonly events: number;
}

/**
 * A partner notification (DESIGN.md §5), through the partner's own declaration: its handshake
 * first (Fitbit `?verify=`, Strava `hub.challenge`, Withings HEAD), then `verify` and `parse`.
 * The partner's account ids map to our users through the connections table; each user gets one
 * `partner.notified` with the kinds named, written to the outbox in one transaction. A revocation
 * notice marks the connection as needing re-authorization. Anything invalid is answered with the
 * declaration's `rejected` response and emits nothing.
 */
export async function handleWebhook(
  ctx: AuthContext,
  partner: InstalledPartner,
  spec: WebhookSpec,
  req: WebhookRequest,
): Promise<WebhookResult> {
  const log = ctx.logger.child({ partner: partner.id, component: 'webhook' });
  const hookContext = {
    clientSecret: partner.resolved.clientSecret,
    ...(partner.resolved.webhookVerifyToken ? { verifyToken: partner.resolved.webhookVerifyToken } : {}),
    ...(partner.resolved.webhookSubscriptionId
      ? { subscriptionId: partner.resolved.webhookSubscriptionId }
      : {}),
  };
  const rejected = (why: string): WebhookResult => {
    log.info({ why }, 'webhook rejected');
    return { response: spec.rejected, outcome: 'rejected', events: 0 };
  };

  let notifications: readonly WebhookNotification[];
  try {
    const handshake = spec.handshake?.(req, hookContext) ?? null;
    if (handshake) return { response: handshake, outcome: 'handshake', events: 0 };
    if (req.method !== 'POST') return rejected(`method ${req.method}`);
    if (!spec.verify(req, hookContext)) return rejected('verification failed');
    notifications = spec.parse(req);
  } catch {
    return rejected('malformed notification');
  }

  const byAccount = new Map<string, { kinds: Set<DataKind>; revoked: boolean }>();
  for (const n of notifications) {
    // An id no account can have (control characters, absurd length) matches nobody.
    if (n.externalUserId.length === 0 || n.externalUserId.length > 256 || /\p{Cc}/u.test(n.externalUserId))
      continue;
    const entry = byAccount.get(n.externalUserId) ?? { kinds: new Set<DataKind>(), revoked: false };
    for (const k of n.kinds) entry.kinds.add(k);
    if (n.revoked) entry.revoked = true;
    byAccount.set(n.externalUserId, entry);
  }
  if (byAccount.size === 0) return { response: spec.accepted, outcome: 'accepted', events: 0 };

  const at = ctx.clock.now();
  const events = await withTransaction(ctx.db, async (trx) => {
    const users = await findUsersByExternalIds(trx, partner.id, [...byAccount.keys()]);
    const out: OutgoingEvent[] = [];
    for (const u of users) {
      const entry = byAccount.get(u.external_user_id);
      if (!entry) continue;
      if (entry.revoked) {
        const failure = { code: 'auth_revoked', message: `${partner.id} says the user revoked access`, at };
        if (await markNeedsReauth(trx, u.user_id, partner.id, failure))
          out.push(
            createEvent(
              'connection.needs-reauth',
              {
                userId: u.user_id,
                partner: partner.id,
                reason: 'auth_revoked: the user revoked access at the partner',
              },
              { source: SOURCE, occurredAt: at },
            ),
          );
      } else if (entry.kinds.size > 0 && u.status === 'connected') {
        out.push(
          createEvent(
            'partner.notified',
            { userId: u.user_id, partner: partner.id, kinds: [...entry.kinds].sort() },
            { source: SOURCE, occurredAt: at },
          ),
        );
      }
    }
    await emit(trx, out);
    return out.length;
  });
  if (events > 0) ctx.onEventsEnqueued();
  log.debug({ accounts: byAccount.size, events }, 'webhook accepted');
  return { response: spec.accepted, outcome: 'accepted', events };
}
