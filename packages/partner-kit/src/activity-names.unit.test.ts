import { describe, expect, it } from 'vitest';
import { ACTIVITY_NAMES, activityNames } from './activity-names.js';
import { fieldMapper } from './fields.js';
import { activityTypeOf } from './raw.js';

describe('activityNames', () => {
  const common = activityNames();

  it('reads the common names and their -ing forms as the app types', () => {
    const read = {
      Walk: 'walking',
      walking: 'walking',
      Run: 'running',
      Jogging: 'running',
      Bike: 'cycling',
      Cycling: 'cycling',
      Swim: 'swimming',
      Hike: 'hiking',
      Yoga: 'yoga',
      Elliptical: 'elliptical',
      rowing: 'rowing',
    };
    for (const [name, type] of Object.entries(read)) expect(common.toApp(name)).toBe(type);
  });

  it('compares names as words: case, punctuation and spacing aside', () => {
    expect(common.toApp('  RUN ')).toBe('running');
    expect(activityNames({ cycling: ['outdoor bike'] }).toApp('Outdoor-Bike')).toBe('cycling');
    expect(activityNames({ cycling: ['outdoor bike'] }).toApp('outdoor   bike')).toBe('cycling');
  });

  it("takes the partner's own names, which win over the common ones", () => {
    const partner = activityNames({ running: ['treadmill'], other: ['swim'] });
    expect(partner.toApp('Treadmill')).toBe('running');
    expect(partner.toApp('Swim')).toBe('other');
    expect(partner.toApp('Walk')).toBe('walking');
    expect(common.toApp('Treadmill')).toBe('other');
  });

  it('reads an unknown or absent name as other, or as the fallback computes it from the name as given', () => {
    expect([common.toApp('Weights'), common.toApp(undefined), common.toApp(null), common.toApp(42)]).toEqual([
      'other',
      'other',
      'other',
      'other',
    ]);
    const keep = activityNames({}, (name) => activityTypeOf(name || 'Other'));
    expect([keep.toApp('Mountain Biking'), keep.toApp('Cycling'), keep.toApp(undefined)]).toEqual([
      'mountain_biking',
      'cycling',
      'other',
    ]);
    expect(activityNames({}, 'workout').toApp('Pilates')).toBe('workout');
  });

  it('lists every type under its own name, so an app type read back is itself', () => {
    for (const type of Object.keys(ACTIVITY_NAMES)) expect(common.toApp(type)).toBe(type);
  });

  it('serves as a fieldMapper code table', () => {
    const map = fieldMapper('exercise', {
      label: 'activity',
      id: 'id',
      at: { from: 'start', format: 'iso' },
      fields: {
        activityType: { code: 'name', table: activityNames() },
        name: 'name',
        durationSeconds: 'seconds',
        calories: 'kcal',
      },
    });
    expect(
      map({ id: 1, start: '2024-03-01T07:00:00+01:00', name: 'Hiking', seconds: 60, kcal: 10 }),
    ).toMatchObject({
      candidate: { activityType: 'hiking', name: 'Hiking' },
    });
  });
});
