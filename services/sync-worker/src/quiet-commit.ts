import { type Db, type OutgoingEvent, outboxCtes, sql } from '@healthsync/platform';
import { SCHEMA } from './db/migrations/index.js';
import { byConnection, type GroupingOptions, perDatabase, StatementGroups } from './grouping.js';

/** One quiet sync's result: the connection's summary and its `sync.completed`, fenced. */
export interface QuietResult {
  readonly partner: string;
  readonly userId: string;
  readonly fence: number;
  readonly outcome: string;
  readonly finishedAt: Date;
  /** The sync's one event (`sync.completed`). */
  readonly event: OutgoingEvent;
}

/**
 * Group commit of quiet syncs: the results of syncs that finish at about the same time are
 * written by ONE statement (one round trip, one commit) instead of one each (see
 * {@link StatementGroups}). Fencing stays per connection: each result updates its connection only
 * where the row still carries its fence, and its event reaches the outbox and the event log only
 * if that update happened. A stale result in a group therefore writes nothing, and the others
 * commit; each caller learns its own outcome.
 */
export class QuietCommitter {
  private readonly groups: StatementGroups<QuietResult, boolean>;

  constructor(db: Db, options: GroupingOptions<QuietResult> = {}) {
    this.groups = new StatementGroups(async (results) => {
      const committed = await writeQuietResults(db, results);
      return results.map((r) => committed.has(r.event.envelope.id));
    }, options);
  }

  /** Resolves true when the result committed, false when the connection has a newer fence. */
  commit(result: QuietResult): Promise<boolean> {
    return this.groups.submit(result);
  }
}

/**
 * Write quiet sync results in one statement (kept prepared: its text is the same for any number
 * of results). Returns the ids of the events written, i.e. of the results whose connection still
 * carried their fence.
 */
export async function writeQuietResults(db: Db, results: readonly QuietResult[]): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const sorted = [...results].sort(byConnection);
  const r = await sql<{ event_id: string }>`
    /* prepared */ with quiet as (
      select * from unnest(${sorted.map((q) => q.partner)}::text[], ${sorted.map((q) => q.userId)}::text[],
        ${sorted.map((q) => q.fence)}::bigint[], ${sorted.map((q) => q.outcome)}::text[],
        ${sorted.map((q) => q.finishedAt)}::timestamptz[], ${sorted.map((q) => q.event.envelope.id)}::uuid[])
        as q(partner, user_id, fence, outcome, finished_at, event_id)
    ), guard as (
      update sync.connections c set last_outcome = q.outcome, last_finished_at = q.finished_at,
        quiet_syncs = c.quiet_syncs + 1
      from quiet q where c.partner = q.partner and c.user_id = q.user_id and c.fence = q.fence
      returning q.event_id
    ),
    ${outboxCtes(
      SCHEMA,
      sorted.map((q) => q.event),
      sql`id in (select event_id from guard)`,
    )}
    select event_id::text as event_id from guard`.execute(db);
  return new Set(r.rows.map((row) => row.event_id));
}

/** The group committer of a database (one per pool). */
export const quietCommitterFor = perDatabase((db: Db) => new QuietCommitter(db));
