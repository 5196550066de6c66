import type { DbOrTx } from '@healthsync/platform';
import { sql } from 'kysely';

/**
 * The cross-process refresh lock of one connection: a row with an expiry (DESIGN.md §8). Taking
 * it succeeds when there is no row or the existing one expired (its holder died); the database
 * clock decides expiry, so processes with skewed clocks agree.
 */
export async function tryAcquireRefreshLock(
  db: DbOrTx,
  userId: string,
  partner: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await sql<{ holder: string }>`
    insert into auth.refresh_locks (user_id, partner, holder, expires_at)
    values (${userId}, ${partner}, ${holder}, now() + make_interval(secs => ${ttlMs / 1000}))
    on conflict (user_id, partner) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where auth.refresh_locks.expires_at < now()
    returning holder`.execute(db);
  return rows[0]?.holder === holder;
}

export async function releaseRefreshLock(
  db: DbOrTx,
  userId: string,
  partner: string,
  holder: string,
): Promise<void> {
  await sql`delete from auth.refresh_locks where user_id = ${userId} and partner = ${partner} and holder = ${holder}`.execute(
    db,
  );
}
