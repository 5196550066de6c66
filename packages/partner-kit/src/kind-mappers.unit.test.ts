import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Exercise } from './containers.js';
import { fieldEncoder, fieldMapper } from './fields.js';
import type { KindMappers } from './kind-mappers.js';

describe('KindMappers', () => {
  it("holds a kind's field mapper and field encoder, typed by the kind", () => {
    const mappers = {
      kind: 'exercise',
      toApp: fieldMapper('exercise', {
        label: 'activity',
        id: 'id',
        at: { from: 'start', format: 'epoch' },
        fields: {
          activityType: { is: 'running' },
          name: { is: 'Run' },
          durationSeconds: 'secs',
          calories: 'kcal',
        },
      }),
      fromApp: fieldEncoder<Exercise>({ fields: { secs: 'durationSeconds' } }),
    } satisfies KindMappers<'exercise'>;
    expectTypeOf(mappers.fromApp).parameter(0).toEqualTypeOf<Exercise>();
    expect(mappers.toApp({ id: 1, start: 0, secs: 60, kcal: 5 })).toMatchObject({ externalId: '1' });
  });
});
