import { describe, expect, it } from 'vitest';
import type { ResourceContext } from './define-partner.js';
import { fieldMapper } from './fields.js';
import { jsonResource } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

// `jsonResource` with its poll as an `objectPoll` spec (`object`): a profile holding the current reading.

const toWeight = fieldMapper('measurement', {
  label: 'profile',
  skip: (r) => !r.num('weight'),
  id: (r) => `weight:${r.text('updated')}`,
  at: { from: 'updated', format: 'utc' },
  fields: { type: { is: 'weight' }, value: { from: 'weight', unit: 'kg' } },
});

function profile(body: unknown): ResourceContext {
  return recordingContext(() => ({ body })).ctx;
}

describe('jsonResource object', () => {
  const resource = jsonResource({
    kind: 'measurement',
    read: { partner: 'Acme' },
    object: { path: '/profile', changes: 'weight', map: toWeight },
  });

  it('maps the object when the watched field changed, and stores the value seen', async () => {
    const ctx = profile({ weight: 71.5, updated: '2024-03-09T08:00:00Z' });
    const page = await resource.poll?.(ctx, '70');
    expect(page?.items.map((i) => [i.externalId, i.data.kind === 'measurement' && i.data.value])).toEqual([
      ['weight:2024-03-09T08:00:00Z', 71.5],
    ]);
    expect(page?.nextCursor).toBe('71.5');
    expect((await resource.poll?.(ctx, '71.5'))?.items).toEqual([]);
  });

  it('validates what it maps as the resource kind: an impossible weight is rejected with the reason', async () => {
    const page = await resource.poll?.(profile({ weight: 7000, updated: '2024-03-09T08:00:00Z' }), undefined);
    expect(page?.items).toEqual([]);
    expect(page?.rejected[0]?.reason).toMatch(/outside 1\.\.650/);
  });
});
