import { describe, expect, it } from 'vitest';
import { byConnection, connectionKey, perDatabase, StatementGroups } from './grouping.js';

describe('StatementGroups', () => {
  it('runs the items submitted in one turn as one group and answers each caller its own result', async () => {
    const calls: number[][] = [];
    const groups = new StatementGroups<number, number>(async (items) => {
      calls.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => groups.submit(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
  });

  it('keeps items with the same key in different groups, and at most maxBatch items per group', async () => {
    const calls: string[][] = [];
    const groups = new StatementGroups<string, string>(
      async (items) => {
        calls.push([...items]);
        return items.map((s) => s.toUpperCase());
      },
      { key: (s) => s[0]!, maxBatch: 2, maxInFlight: 1 },
    );
    const results = await Promise.all(['a1', 'a2', 'b1', 'c1'].map((s) => groups.submit(s)));
    expect(results).toEqual(['A1', 'A2', 'B1', 'C1']);
    expect(calls).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
    ]);
  });

  it('gathers the items that arrive while maxInFlight groups run into the next group', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const groups = new StatementGroups<number, number>(
      async (items) => {
        calls.push([...items]);
        if (items[0] === 1) await gate;
        return items;
      },
      { maxInFlight: 1 },
    );
    const first = groups.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => groups.submit(n));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('runs a deadlock victim once more; any other failure rejects every caller of the group', async () => {
    let attempts = 0;
    const retried = new StatementGroups<number, number>(async (items) => {
      if (attempts++ === 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return items;
    });
    expect(await Promise.all([retried.submit(1), retried.submit(2)])).toEqual([1, 2]);
    expect(attempts).toBe(2);

    const failing = new StatementGroups<number, number>(async () => {
      throw Object.assign(new Error('unique violation'), { code: '23505' });
    });
    const outcomes = await Promise.allSettled([failing.submit(1), failing.submit(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('perDatabase, byConnection', () => {
  it('makes one value per database and reuses it', () => {
    let made = 0;
    const groupsFor = perDatabase((db: { name: string }) => ({ db: db.name, n: ++made }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    expect(groupsFor(a)).toBe(groupsFor(a));
    expect(groupsFor(b)).not.toBe(groupsFor(a));
    expect(made).toBe(2);
  });

  it('orders connections by partner, then user id', () => {
    const rows = [
      { partner: 'withings', userId: 'u2' },
      { partner: 'fitbit', userId: 'u9' },
      { partner: 'withings', userId: 'u1' },
    ];
    expect([...rows].sort(byConnection).map(connectionKey)).toEqual([
      'fitbit\u0000u9',
      'withings\u0000u1',
      'withings\u0000u2',
    ]);
  });
});
