import { type Db, type OutgoingEvent, outboxCtes, sql } from '@healthsync/platform';
import { SCHEMA } from './db/migrations/index.js';

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

interface Waiting {
  readonly result: QuietResult;
  resolve(committed: boolean): void;
  reject(error: unknown): void;
}

export interface QuietCommitterOptions {
  /** Statements in flight at once (default 2); results arriving meanwhile wait for the next one. */
  readonly maxInFlight?: number;
  /** Results per statement at most (default 64). */
  readonly maxBatch?: number;
}

/**
 * Group commit of quiet syncs: the results of syncs that finish at about the same time are
 * written by ONE statement (one round trip, one commit) instead of one each. Fencing stays per
 * connection: each result updates its connection only where the row still carries its fence, and
 * its event reaches the outbox and the event log only if that update happened. A stale result in
 * a group therefore writes nothing, and the others commit; each caller learns its own outcome.
 *
 * Results are gathered until the current turn of the event loop ends (`setImmediate`), and while
 * `maxInFlight` statements are running; a lone sync waits for no one.
 */
export class QuietCommitter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Db,
    options: QuietCommitterOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
  }

  /** Resolves true when the result committed, false when the connection has a newer fence. */
  commit(result: QuietResult): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ result, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    try {
      const committed = await writeQuietResults(
        this.db,
        group.map((w) => w.result),
      );
      for (const w of group) w.resolve(committed.has(w.result.event.envelope.id));
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}

/**
 * Write quiet sync results in one statement (kept prepared: its text is the same for any number
 * of results). Returns the ids of the events written, i.e. of the results whose connection still
 * carried their fence.
 */
export async function writeQuietResults(db: Db, results: readonly QuietResult[]): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const r = await sql<{ event_id: string }>`
    /* prepared */ with quiet as (
      select * from unnest(${results.map((q) => q.partner)}::text[], ${results.map((q) => q.userId)}::text[],
        ${results.map((q) => q.fence)}::bigint[], ${results.map((q) => q.outcome)}::text[],
        ${results.map((q) => q.finishedAt)}::timestamptz[], ${results.map((q) => q.event.envelope.id)}::uuid[])
        as q(partner, user_id, fence, outcome, finished_at, event_id)
    ), guard as (
      update sync.connections c set last_outcome = q.outcome, last_finished_at = q.finished_at,
        quiet_syncs = c.quiet_syncs + 1
      from quiet q where c.partner = q.partner and c.user_id = q.user_id and c.fence = q.fence
      returning q.event_id
    ),
    ${outboxCtes(
      SCHEMA,
      results.map((q) => q.event),
      sql`id in (select event_id from guard)`,
    )}
    select event_id::text as event_id from guard`.execute(db);
  return new Set(r.rows.map((row) => row.event_id));
}

const committers = new WeakMap<Db, QuietCommitter>();

/** The group committer of a database (one per pool). */
export function quietCommitterFor(db: Db): QuietCommitter {
  let committer = committers.get(db);
  if (!committer) {
    committer = new QuietCommitter(db);
    committers.set(db, committer);
  }
  return committer;
}
