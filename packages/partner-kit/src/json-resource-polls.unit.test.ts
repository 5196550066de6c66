import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PartnerError } from './errors.js';
import { fieldMapper } from './fields.js';
import { numberCursor } from './number-cursor.js';
import { getJson } from './read.js';
import { jsonResource } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

// `jsonResource` with its poll as data (`list` / `days`): the poll gets the resource's kind and read options.

function partner(answers: Record<string, unknown>) {
  return recordingContext((req) => {
    if (!(req.path in answers)) throw new PartnerError('not_found', req.path);
    return { body: answers[req.path] };
  });
}

const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start', format: 'epoch' },
  fields: { activityType: { is: 'running' }, name: { is: 'Run' }, durationSeconds: 'secs', calories: 'kcal' },
});
const run = (id: number, start: number) => ({ id, start, secs: 600, kcal: 80 });

describe('jsonResource list', () => {
  const resource = jsonResource({
    kind: 'exercise',
    read: { partner: 'Acme', mismatch: 'transient' },
    list: {
      cursor: { keys: { since: 'since', page: 'next', mark: 'max' }, since: z.number(), page: z.string() },
      path: '/runs',
      query: (at) => ({ after: at.since }),
      items: 'runs',
      map: toExercise,
      mark: 'start',
      paging: { next: 'next' },
    },
  });

  it('polls the list page by page and moves the mark at the end of the pass', async () => {
    const { ctx, seen } = partner({
      '/runs': { runs: [run(1, 1000)], next: '/runs/page2' },
      '/runs/page2': { runs: [run(2, 2000)], next: '' },
    });
    const first = await resource.poll?.(ctx, undefined);
    expect(first?.items.map((i) => i.externalId)).toEqual(['1']);
    expect(first?.more).toBe(true);
    const second = await resource.poll?.(ctx, first?.nextCursor);
    expect(second?.items.map((i) => i.externalId)).toEqual(['2']);
    expect(second?.more).toBe(false);
    expect(seen.map((r) => r.path)).toEqual(['/runs', '/runs/page2']);
    const third = partner({ '/runs': { runs: [] } });
    await resource.poll?.(third.ctx, second?.nextCursor);
    expect(third.seen[0]?.query).toEqual({ after: 2000 });
  });

  it("reads with the resource's read options: an answer without the list is the resource's mismatch", async () => {
    const { ctx } = partner({ '/runs': { oops: true } });
    await expect(resource.poll?.(ctx, undefined)).rejects.toMatchObject({
      code: 'transient',
      message: expect.stringMatching(/^Acme: no list at "runs"/),
    });
  });

  /** The same list without read options: the client's name and mismatch apply. */
  const plain = jsonResource({
    kind: 'exercise',
    list: {
      cursor: numberCursor({ since: 'since', page: 'page', mark: 'max' }),
      path: '/runs',
      items: 'runs',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 10 },
    },
  });

  it("names the partner by the client's display name when the read options do not", async () => {
    const { ctx } = partner({ '/runs': { oops: true } });
    const named = { ...ctx, http: { ...ctx.http, partner: 'Acme Cloud' } };
    await expect(plain.poll?.(named, undefined)).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/^Acme Cloud: no list at "runs"/),
    });
    await expect(plain.poll?.(ctx, undefined)).rejects.toThrow(/^the partner: no list/);
  });

  it("classifies an unreadable answer by the API's mismatch the client carries, unless the read says", async () => {
    const { ctx } = partner({ '/runs': { oops: true }, '/me': { name: 7 } });
    const glitchy = { ...ctx, http: { ...ctx.http, mismatch: 'transient' as const } };
    await expect(plain.poll?.(glitchy, undefined)).rejects.toMatchObject({ code: 'transient' });
    await expect(plain.poll?.(ctx, undefined)).rejects.toMatchObject({ code: 'invalid_data' });
    const Me = z.object({ name: z.string() });
    await expect(getJson(glitchy.http, '/me', Me)).rejects.toMatchObject({ code: 'transient' });
    await expect(getJson(glitchy.http, '/me', Me, { mismatch: 'invalid_data' })).rejects.toMatchObject({
      code: 'invalid_data',
    });
  });
});

describe('jsonResource days', () => {
  it("reads the window's days in the user's zone and stores the last day read", async () => {
    const zones: unknown[] = [];
    const resource = jsonResource({
      kind: 'exercise',
      days: {
        window: { reread: 1, first: 1, span: 7 },
        zone: () => 60,
        reads: [
          {
            path: '/day/{day}',
            items: 'runs',
            map: (raw, zone) => {
              zones.push(zone);
              return toExercise(raw);
            },
          },
        ],
      },
    });
    const { ctx, seen } = partner({
      '/day/2024-03-09': { runs: [run(7, 1_710_000_000)] },
      '/day/2024-03-10': {},
    });
    const page = await resource.poll?.(ctx, undefined);
    expect(page).toMatchObject({ nextCursor: '2024-03-10', more: false, items: [{ externalId: '7' }] });
    expect(seen.map((r) => r.path)).toEqual(['/day/2024-03-09', '/day/2024-03-10']);
    expect(zones).toEqual([60]);
  });

  it('prefers a poll written out over the data forms', () => {
    const poll = async () => ({ items: [], rejected: [], more: false });
    expect(jsonResource({ kind: 'exercise', poll }).poll).toBe(poll);
  });
});
