import type { DataTypes } from '@healthsync/contracts';
import { isPartnerError, oauth2Revoke } from '@healthsync/partner-kit';
import { createEvent, problems, withTransaction } from '@healthsync/platform';
import { type AuthContext, emit, SOURCE } from '../context.js';
import { DecryptError } from '../crypto/key-ring.js';
import { openCredentials } from '../crypto/secrets.js';
import { normalizeDataTypes } from '../partners.js';
import {
  type ConnectionRow,
  findConnection,
  lockConnection,
  markDisconnected,
  updateDataTypes,
} from '../repositories/connections.repository.js';
import { deleteCredential, readCredential } from '../repositories/credentials.repository.js';

/** A connection as the client API shows it (no credential material). */
export interface ConnectionView {
  partner: string;
  status: ConnectionRow['status'];
  generation: string;
  externalUserId: string | null;
  dataTypes: DataTypes;
  connectedAt: string;
  disconnectedAt: string | null;
  updatedAt: string;
  lastError: { code: string; message: string; at: string } | null;
}

export function connectionView(row: ConnectionRow): ConnectionView {
  return {
    partner: row.partner,
    status: row.status,
    generation: row.auth_generation,
    externalUserId: row.external_user_id,
    dataTypes: row.data_types,
    connectedAt: row.connected_at.toISOString(),
    disconnectedAt: row.disconnected_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
    lastError:
      row.last_error_code && row.last_error && row.last_error_at
        ? { code: row.last_error_code, message: row.last_error, at: row.last_error_at.toISOString() }
        : null,
  };
}

const notFound = () => problems.notFound('No connection to this partner');

/** Change what is polled and pushed; emits `connection.preferences-changed` when it changed. */
export async function changePreferences(
  ctx: AuthContext,
  userId: string,
  partner: string,
  dataTypes: DataTypes,
): Promise<ConnectionView> {
  const wanted = normalizeDataTypes(dataTypes);
  const at = ctx.clock.now();
  let emitted = false;
  const row = await withTransaction(ctx.db, async (trx) => {
    const current = await lockConnection(trx, userId, partner);
    if (!current || current.status === 'disconnected') throw notFound();
    const before = normalizeDataTypes(current.data_types);
    if (JSON.stringify(before) === JSON.stringify(wanted)) return current;
    const updated = await updateDataTypes(trx, userId, partner, wanted, at);
    if (!updated) throw notFound();
    await emit(trx, [
      createEvent(
        'connection.preferences-changed',
        { userId, partner, dataTypes: wanted },
        { source: SOURCE, occurredAt: at },
      ),
    ]);
    emitted = true;
    return updated;
  });
  if (emitted) ctx.onEventsEnqueued();
  return connectionView(row);
}

/**
 * Disconnect: revoke at the partner where it can (best effort: a partner that is down does not keep
 * the tokens with us), then delete the credentials, mark the connection disconnected and emit
 * `connection.disconnected`, in one transaction.
 */
export async function disconnect(ctx: AuthContext, userId: string, partnerId: string): Promise<void> {
  const connection = await findConnection(ctx.db, userId, partnerId);
  if (!connection || connection.status === 'disconnected') throw notFound();
  await revokeAtPartner(ctx, userId, partnerId);
  const at = ctx.clock.now();
  const changed = await withTransaction(ctx.db, async (trx) => {
    await lockConnection(trx, userId, partnerId);
    await deleteCredential(trx, userId, partnerId);
    const done = await markDisconnected(trx, userId, partnerId, at);
    if (done)
      await emit(trx, [
        createEvent(
          'connection.disconnected',
          { userId, partner: partnerId },
          { source: SOURCE, occurredAt: at },
        ),
      ]);
    return done;
  });
  if (!changed) throw notFound();
  ctx.onEventsEnqueued();
  ctx.logger.info({ partner: partnerId, userId }, 'partner disconnected');
}

async function revokeAtPartner(ctx: AuthContext, userId: string, partnerId: string): Promise<void> {
  const log = ctx.logger.child({ partner: partnerId, userId });
  const partner = ctx.partners.get(partnerId);
  const row = await readCredential(ctx.db, userId, partnerId);
  if (!partner || !row) return;
  const gen = partner.resolved.generations[row.auth_generation];
  if (gen?.kind !== 'oauth2' || !gen.revokeUrl) return;
  try {
    const secrets = openCredentials(
      ctx.keyRing,
      { keyId: row.key_id, data: row.sealed },
      { userId: row.user_id, partner: row.partner, authGeneration: row.auth_generation, epoch: row.epoch },
    );
    if (secrets.kind !== 'oauth2') return;
    // Revoking the refresh token ends the whole grant (RFC 7009 §2.1); RunKeeper takes the access token.
    const token =
      gen.revokeTokenParam === 'access_token'
        ? secrets.accessToken
        : (secrets.refreshToken ?? secrets.accessToken);
    await oauth2Revoke(partner.resolved, row.auth_generation, token, {
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      timeoutSeconds: ctx.settings.partnerTimeoutSeconds,
    });
    log.info('revoked at the partner');
  } catch (e) {
    if (isPartnerError(e))
      log.warn(
        { code: e.code, reason: e.message },
        'revocation at the partner failed; deleting our copy anyway',
      );
    else if (e instanceof DecryptError)
      log.error({ keyId: e.keyId }, 'stored credentials do not decrypt; deleting them');
    else throw e;
  }
}
