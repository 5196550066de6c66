import { type FakeClock, systemFakeClock } from './types.js';

/** One item of a fake partner's per-user data. */
export interface StoredItem<T> {
  readonly id: string;
  readonly userId: string;
  data: T;
  readonly createdAt: Date;
  modifiedAt: Date;
  /** Soft-deleted items stay (with their modification time) so fakes can report or hide them. */
  deletedAt?: Date;
}

export interface ListOptions {
  includeDeleted?: boolean;
  /** Items modified at or after this moment. */
  modifiedSince?: Date;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly more: boolean;
  /** The offset of the next page (when `more`). */
  readonly nextOffset: number;
  readonly total: number;
}

/** Offset paging over a list. */
export function paginate<T>(items: readonly T[], offset: number, limit: number): Page<T> {
  const start = Math.max(0, Math.floor(offset));
  const size = Math.max(1, Math.floor(limit));
  const slice = items.slice(start, start + size);
  return {
    items: slice,
    more: start + slice.length < items.length,
    nextOffset: start + slice.length,
    total: items.length,
  };
}

/** In-memory per-user items of one kind, with ids, creation and modification times. */
export class FakeUserStore<T> {
  private readonly byUser = new Map<string, Map<string, StoredItem<T>>>();
  private readonly clock: FakeClock;
  private counter: number;
  private readonly newId: (n: number) => string;

  constructor(options: { clock?: FakeClock; firstId?: number; newId?: (n: number) => string } = {}) {
    this.clock = options.clock ?? systemFakeClock;
    this.counter = options.firstId ?? 1000;
    this.newId = options.newId ?? ((n) => String(n));
  }

  private items(userId: string): Map<string, StoredItem<T>> {
    let m = this.byUser.get(userId);
    if (!m) {
      m = new Map();
      this.byUser.set(userId, m);
    }
    return m;
  }

  insert(userId: string, data: T, options: { id?: string; at?: Date } = {}): StoredItem<T> {
    const at = options.at ?? this.clock.now();
    const id = options.id ?? this.newId(++this.counter);
    const item: StoredItem<T> = { id, userId, data, createdAt: at, modifiedAt: at };
    this.items(userId).set(id, item);
    return item;
  }

  get(userId: string, id: string): StoredItem<T> | undefined {
    const item = this.byUser.get(userId)?.get(id);
    return item && !item.deletedAt ? item : undefined;
  }

  update(userId: string, id: string, data: T | ((old: T) => T)): StoredItem<T> | undefined {
    const item = this.get(userId, id);
    if (!item) return undefined;
    item.data = typeof data === 'function' ? (data as (old: T) => T)(item.data) : data;
    item.modifiedAt = this.clock.now();
    return item;
  }

  remove(userId: string, id: string): boolean {
    const item = this.get(userId, id);
    if (!item) return false;
    const now = this.clock.now();
    item.deletedAt = now;
    item.modifiedAt = now;
    return true;
  }

  /** The user's items in insertion order. */
  list(userId: string, options: ListOptions = {}): StoredItem<T>[] {
    const since = options.modifiedSince?.getTime();
    return [...(this.byUser.get(userId)?.values() ?? [])].filter(
      (i) =>
        (options.includeDeleted || !i.deletedAt) && (since === undefined || i.modifiedAt.getTime() >= since),
    );
  }

  clearUser(userId: string): void {
    this.byUser.delete(userId);
  }
}
