export interface GroupingOptions<I> {
  /** Statements in flight at once (default 2); items arriving meanwhile wait for the next one. */
  readonly maxInFlight?: number;
  /** Items per statement at most (default 64). */
  readonly maxBatch?: number;
  /**
   * Items with the same key never share a statement (e.g. one row may be written once per
   * statement): a second one waits for the next group.
   */
  readonly key?: (item: I) => string;
}

interface Waiting<I, O> {
  readonly item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/** PostgreSQL's deadlock_detected: the statement was rolled back, nothing of it was written. */
function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '40P01';
}

/**
 * Runs the items submitted at about the same time as ONE statement: items are gathered until the
 * current turn of the event loop ends (`setImmediate`), and while `maxInFlight` statements are
 * running; a lone item waits for no one. `run` gets a group and answers one result per item, in
 * order. A failing statement rejects every item of its group; one that PostgreSQL chose as a
 * deadlock victim wrote nothing and is run once more.
 */
export class StatementGroups<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly options: GroupingOptions<I> = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
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
      const group = this.take();
      this.inFlight++;
      void this.write(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** The next group: queue order, at most maxBatch, one item per key. */
  private take(): Waiting<I, O>[] {
    const key = this.options.key;
    if (!key) return this.queue.splice(0, this.maxBatch);
    const group: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    for (const w of this.queue) {
      const k = key(w.item);
      if (group.length >= this.maxBatch || keys.has(k)) rest.push(w);
      else {
        keys.add(k);
        group.push(w);
      }
    }
    this.queue = rest;
    return group;
  }

  private async write(group: Waiting<I, O>[]): Promise<void> {
    const items = group.map((w) => w.item);
    try {
      let results: readonly O[];
      try {
        results = await this.run(items);
      } catch (error) {
        if (!isDeadlock(error)) throw error;
        results = await this.run(items);
      }
      group.forEach((w, i) => {
        w.resolve(results[i]!);
      });
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}

/** A connection as grouped statements name it. */
interface ConnectionRef {
  readonly partner: string;
  readonly userId: string;
}

/**
 * Orders by connection (partner, user id): every grouped statement locks its rows in this order,
 * so two statements in flight do not deadlock.
 */
export function byConnection(a: ConnectionRef, b: ConnectionRef): number {
  if (a.partner !== b.partner) return a.partner < b.partner ? -1 : 1;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/** One text per connection (a grouping key: a connection appears once per statement). */
export const connectionKey = (c: ConnectionRef): string => `${c.partner}\u0000${c.userId}`;

/** One `T` per database pool, made on first use (the statement groups of that pool). */
export function perDatabase<D extends object, T>(make: (db: D) => T): (db: D) => T {
  const made = new WeakMap<D, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = make(db);
      made.set(db, value);
    }
    return value;
  };
}
