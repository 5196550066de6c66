import { activityTypeOf, fromIsoBasic, schemaMapper, titleOf } from '@healthsync/partner-kit';
import type { z } from 'zod';
import { MovesActivity, MovesSegment, type MovesStoryline } from '../schemas.js';

/** Moves v1 activity codes -> API 1.1 names. */
const V1_CODES: Record<string, string> = { wlk: 'walking', run: 'running', cyc: 'cycling', trp: 'transport' };
const name = (code: string | null | undefined) => (code ? (V1_CODES[code] ?? code) : undefined);

/** Every activity of every segment of the days, with its segment's `lastUpdate` (the version). */
export const activitiesOf = (days: z.output<typeof MovesStoryline>): unknown[] =>
  days.flatMap((day) =>
    (day.segments ?? []).flatMap((raw) => {
      const segment = MovesSegment.safeParse(raw);
      if (!segment.success) return [raw];
      const { lastUpdate, activities = [] } = segment.data;
      return (activities ?? []).map((a) => (typeof a === 'object' && a !== null ? { ...a, lastUpdate } : a));
    }),
  );

/**
 * An activity -> an exercise. Transport is not exercise (skipped). Times are ISO 8601 basic
 * (`20121212T071430+0200`). Moves reports calories only when the user turned calorie tracking
 * on, and never calories per hour: without calories the activity is rejected.
 */
export const toExercise = schemaMapper(MovesActivity, 'not a Moves activity', (a) => {
  const activity = name(a.activity) ?? name(a.group) ?? 'activity';
  if (activity === 'transport' || name(a.group) === 'transport') return null;
  const externalId = a.startTime?.trim();
  const start = fromIsoBasic(a.startTime);
  if (!externalId || !start)
    return { reject: `exercise has no readable startTime: ${a.startTime ?? 'absent'}` };
  if (a.calories == null)
    return { externalId, reject: 'Moves gave no calories (calorie tracking off) and no calories per hour' };
  const end = fromIsoBasic(a.endTime);
  const duration = a.duration ?? (end && end.epochSeconds - start.epochSeconds);
  return {
    externalId,
    ...(a.lastUpdate && { externalVersion: a.lastUpdate }),
    candidate: {
      kind: 'exercise',
      activityType: activityTypeOf(activity),
      name: titleOf(activity),
      startedAt: start.iso,
      utcOffsetMinutes: start.utcOffsetMinutes,
      durationSeconds: duration == null ? undefined : Math.round(duration),
      calories: a.calories,
      ...(a.distance != null && { distanceMeters: a.distance }),
    },
  };
});
