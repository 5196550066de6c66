import { type DbOrTx, sql } from '@healthsync/platform';

export interface PolicyPeriod {
  readonly policy: string;
  readonly config: unknown;
  readonly startedAt: Date;
  /** Events logged after this sequence number were scheduled by this policy. */
  readonly fromLogSeq: number;
}

/** Record the policy in use when it differs from the last one recorded (at start). */
export async function recordPolicy(db: DbOrTx, policy: string, config: unknown, at: Date): Promise<boolean> {
  const result = await sql`
    insert into scheduler.policy_history (policy, config, started_at, from_log_seq)
    select ${policy}, ${JSON.stringify(config)}::jsonb, ${at.toISOString()}::timestamptz,
      coalesce((select max(seq) from scheduler.event_log), 0)
    where not exists (
      select 1 from (select policy, config from scheduler.policy_history order by seq desc limit 1) last
      where last.policy = ${policy} and last.config = ${JSON.stringify(config)}::jsonb
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export async function listPolicyHistory(db: DbOrTx): Promise<PolicyPeriod[]> {
  const { rows } = await sql<{ policy: string; config: unknown; started_at: Date; from_log_seq: number }>`
    select policy, config, started_at, from_log_seq from scheduler.policy_history order by seq`.execute(db);
  return rows.map((r) => ({
    policy: r.policy,
    config: r.config,
    startedAt: r.started_at,
    fromLogSeq: r.from_log_seq,
  }));
}
