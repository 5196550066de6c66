import { syncWorkerQueues, topology } from '@healthsync/contracts';
import { describe, expect, it } from 'vitest';
import { eventTypesBoundTo, patternsOverlap } from './topology.js';

describe('patternsOverlap', () => {
  it.each([
    ['sync.due.*', 'sync.due.withings', true],
    ['sync.due.*', 'sync.completed.*', false],
    ['connection.*.fitbit', 'connection.connected.*', true],
    ['sync.requested', 'sync.requested', true],
    ['sync.requested', 'sync.*', true],
    ['sync.requested', 'sync.due.*', false],
    ['#', 'a.b.c', true],
    ['a.#', 'a', true],
    ['a.#.c', 'a.b.b.c', true],
    ['a.#.c', 'a.b.d', false],
    ['*.x', 'a.#', true],
  ])('%s ~ %s -> %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
    expect(patternsOverlap(b, a)).toBe(expected);
  });
});

describe('eventTypesBoundTo', () => {
  it('lists what each queue must handle', () => {
    const [due, events] = syncWorkerQueues('fitbit');
    expect(eventTypesBoundTo(due!)).toEqual(['sync.due']);
    expect(eventTypesBoundTo(events!).sort()).toEqual([
      'connection.connected',
      'connection.disconnected',
      'connection.needs-reauth',
      'connection.preferences-changed',
      'shapeup.data-changed',
    ]);
    const scheduler = topology(['fitbit']).consumers.find((q) => q.name === 'scheduler.events')!;
    expect(eventTypesBoundTo(scheduler)).not.toContain('sync.due');
    expect(eventTypesBoundTo(scheduler)).toContain('sync.requested');
  });
});
