import { describe, expect, it } from 'vitest';
import { Measurement } from './containers.js';
import { PartnerError } from './errors.js';
import { measurementLogs } from './measurement-logs.js';
import { jsonResource } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

// A partner keeping weight (in lb, at `weight`) and body fat (in %, at `percent`) in a log each.
const LOGS = measurementLogs({
  logs: { weight: ['weight', 'lb'], body_fat: ['fat', '%', 'percent'] },
  at: { from: 'at', format: 'epoch' },
  decimals: 1,
});

const resource = jsonResource({
  kind: 'measurement',
  days: {
    window: { reread: 0, first: 1, span: 2 },
    zone: () => 60,
    reads: LOGS.reads({ path: '/logs/{log}/{from}/{to}', items: '{log}Entries' }),
  },
  ...LOGS.writes({
    create: { path: '/logs/{log}', encode: 'json', id: '{log}Entry.id' },
    delete: '/logs/{log}/{id}',
  }),
});

const measurement = (type: string, value: number, unit: string) =>
  Measurement.parse({
    kind: 'measurement',
    type,
    value,
    unit,
    measuredAt: '2024-03-09T08:00:00+01:00',
    utcOffsetMinutes: 60,
  });

describe('measurementLogs', () => {
  it('reads each log in the day window: entries named <log>:<id>, in the poll zone, converted', async () => {
    const { ctx, seen } = recordingContext((req) => ({
      body: req.path.startsWith('/logs/weight/')
        ? { weightEntries: [{ id: 7, at: 1709967600, weight: 176.37 }] }
        : {
            fatEntries: [
              { id: 7, at: 1709967600, percent: 21.5 },
              { id: 8, at: 1709967600 },
            ],
          },
    }));
    const page = await resource.poll?.(ctx, undefined);
    expect(seen.map((r) => r.path)).toEqual([
      '/logs/weight/2024-03-09/2024-03-10',
      '/logs/fat/2024-03-09/2024-03-10',
    ]);
    expect(page?.items.map((i) => [i.externalId, i.data])).toEqual([
      [
        'weight:7',
        expect.objectContaining({
          type: 'weight',
          value: expect.closeTo(80, 3),
          unit: 'kg',
          measuredAt: '2024-03-09T08:00:00+01:00',
        }),
      ],
      ['fat:7', expect.objectContaining({ type: 'body_fat', value: 21.5, unit: '%', utcOffsetMinutes: 60 })],
    ]);
    expect(page?.rejected).toEqual([
      { externalId: 'fat:8', reason: 'fat log has no percent', raw: { id: 8, at: 1709967600 } },
    ]);
  });

  it("writes a measurement to its type's log in the log's unit and names it by the answer; refuses a type without a log", async () => {
    const { ctx, seen } = recordingContext(
      (req) => ({
        body: req.path === '/logs/weight' ? { weightEntry: { id: 31 } } : { fatEntry: { id: 32 } },
      }),
      'Acme',
    );
    expect(await resource.create?.(ctx, measurement('weight', 80, 'kg'))).toEqual({
      externalId: 'weight:31',
    });
    expect(await resource.create?.(ctx, measurement('body_fat', 21.5, '%'))).toEqual({
      externalId: 'fat:32',
    });
    expect(seen.map((r) => [r.method, r.path, r.json])).toEqual([
      ['POST', '/logs/weight', { weight: '176.4', at: 1709967600 }],
      ['POST', '/logs/fat', { percent: '21.5', at: 1709967600 }],
    ]);
    await expect(resource.create?.(ctx, measurement('height', 180, 'cm'))).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not sendable to Acme: its logs hold weight and body fat only, not height',
    });
    expect(LOGS.holds(measurement('height', 180, 'cm'))).toBe(false);
    expect(seen).toHaveLength(2);
  });

  it("deletes an entry at its log's path; a name of no log is refused before any call", async () => {
    const { ctx, seen } = recordingContext(() => ({ status: 204 }));
    await resource.delete?.(ctx, 'fat:32');
    expect(seen.map((r) => [r.method, r.path])).toEqual([['DELETE', '/logs/fat/32']]);
    for (const id of ['waist:1', 'fat:x', '32', 'weight:1/../2'])
      await expect(resource.delete?.(ctx, id)).rejects.toBeInstanceOf(PartnerError);
    expect(seen).toHaveLength(1);
  });

  it('fails a create whose answer names no entry (not retried: a second create could duplicate)', async () => {
    const { ctx } = recordingContext(() => ({ body: { fatEntry: {} } }));
    await expect(resource.create?.(ctx, measurement('body_fat', 20, '%'))).rejects.toMatchObject({
      code: 'invalid_data',
    });
  });
});
