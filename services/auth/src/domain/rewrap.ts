import { type Db, type Logger, withTransaction } from '@healthsync/platform';
import { DecryptError, type KeyRing } from '../crypto/key-ring.js';
import { credentialsAad, pendingAad } from '../crypto/secrets.js';
import { lockRewrapBatch, writeRewrapped } from '../repositories/credentials.repository.js';
import {
  lockPendingRewrapBatch,
  writePendingRewrapped,
} from '../repositories/pending-authorizations.repository.js';

export interface RewrapStats {
  /** Rows moved to the primary key. */
  rewrapped: number;
  /** Rows that did not decrypt (altered, or sealed with a key missing from the ring): left as they are. */
  failed: number;
  batches: number;
}

export interface RewrapOptions {
  batchSize?: number;
  /** Passes over the table; rows a concurrent writer held are picked up by the next pass. */
  maxPasses?: number;
}

/**
 * Move every sealed value (credentials and pending authorizations) to the primary key, online:
 * batches of rows are locked with `FOR UPDATE SKIP LOCKED`, re-sealed and written back in one
 * statement, one short transaction per batch. Readers keep working throughout: a row is always
 * sealed with a key of the ring, and the old keys stay in the ring until this has finished.
 * A second run finds nothing to do and writes nothing.
 */
export async function rewrap(
  deps: { db: Db; keyRing: KeyRing; logger: Logger },
  options: RewrapOptions = {},
): Promise<RewrapStats> {
  const { db, keyRing } = deps;
  const log = deps.logger.child({ component: 'rewrap', primaryKeyId: keyRing.primaryKeyId });
  const batchSize = options.batchSize ?? 500;
  const stats: RewrapStats = { rewrapped: 0, failed: 0, batches: 0 };
  const failedRows = new Set<string>();

  for (let pass = 0; pass < (options.maxPasses ?? 5); pass++) {
    let touched = 0;
    let after: { userId: string; partner: string } | undefined;
    for (;;) {
      const result = await withTransaction(db, async (trx) => {
        const rows = await lockRewrapBatch(trx, keyRing.primaryKeyId, after, batchSize);
        const out: { userId: string; partner: string; fromKeyId: string; keyId: string; sealed: Buffer }[] =
          [];
        for (const r of rows) {
          const aad = credentialsAad({
            userId: r.user_id,
            partner: r.partner,
            authGeneration: r.auth_generation,
            epoch: r.epoch,
          });
          try {
            const plain = keyRing.open({ keyId: r.key_id, data: r.sealed }, aad);
            const sealed = keyRing.seal(plain, aad);
            out.push({
              userId: r.user_id,
              partner: r.partner,
              fromKeyId: r.key_id,
              keyId: sealed.keyId,
              sealed: sealed.data,
            });
          } catch (e) {
            if (!(e instanceof DecryptError)) throw e;
            const id = `credentials:${r.partner}:${r.user_id}`;
            if (!failedRows.has(id)) {
              failedRows.add(id);
              log.error(
                { partner: r.partner, userId: r.user_id, keyId: r.key_id },
                'credentials do not decrypt; left as they are',
              );
            }
          }
        }
        const last = rows[rows.length - 1];
        return { seen: rows.length, written: await writeRewrapped(trx, out), last };
      });
      if (result.seen > 0) stats.batches++;
      stats.rewrapped += result.written;
      touched += result.written;
      if (result.written > 0) log.info({ rewrapped: stats.rewrapped }, 'rewrap batch committed');
      if (!result.last || result.seen < batchSize) break;
      after = { userId: result.last.user_id, partner: result.last.partner };
    }

    let afterState: Buffer | undefined;
    for (;;) {
      const result = await withTransaction(db, async (trx) => {
        const rows = await lockPendingRewrapBatch(trx, keyRing.primaryKeyId, afterState, batchSize);
        const out: { stateHash: Buffer; fromKeyId: string; keyId: string; sealed: Buffer }[] = [];
        for (const r of rows) {
          const aad = pendingAad(r.state_hash);
          try {
            const sealed = keyRing.seal(keyRing.open({ keyId: r.key_id, data: r.sealed }, aad), aad);
            out.push({
              stateHash: r.state_hash,
              fromKeyId: r.key_id,
              keyId: sealed.keyId,
              sealed: sealed.data,
            });
          } catch (e) {
            if (!(e instanceof DecryptError)) throw e;
            const id = `pending:${r.state_hash.toString('hex')}`;
            if (!failedRows.has(id)) {
              failedRows.add(id);
              log.error({ keyId: r.key_id }, 'a pending authorization does not decrypt; left to expire');
            }
          }
        }
        const last = rows[rows.length - 1];
        return { seen: rows.length, written: await writePendingRewrapped(trx, out), last };
      });
      if (result.seen > 0) stats.batches++;
      stats.rewrapped += result.written;
      touched += result.written;
      if (!result.last || result.seen < batchSize) break;
      afterState = result.last.state_hash;
    }
    if (touched === 0) break;
  }
  stats.failed = failedRows.size;
  return stats;
}
