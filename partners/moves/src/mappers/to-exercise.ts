import { type LocalTime, localToIso, schemaMapper } from '@healthsync/partner-kit';
import type { z } from 'zod';
import { MovesActivity, MovesSegment, type MovesStoryline } from '../schemas.js';

/** Moves v1 activity codes -> API 1.1 names. */
const V1_CODES: Record<string, string> = { wlk: 'walking', run: 'running', cyc: 'cycling', trp: 'transport' };
const name = (code: string | null | undefined) => (code ? (V1_CODES[code] ?? code) : undefined);

/** `20121212T071430+0200` or `20121212T051430Z` -> ISO 8601 with offset (and the instant). */
export function fromMovesTime(
  text: string | null | undefined,
): (LocalTime & { epochSeconds: number }) | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const zone = m[7] ?? 'Z';
  const offset =
    zone === 'Z' ? 0 : Number(`${zone[0]}1`) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
  try {
    return localToIso(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`, offset);
  } catch {
    return undefined;
  }
}

/** Every activity of every segment of the days, with its segment's `lastUpdate` (the version). */
export function activitiesOf(days: z.output<typeof MovesStoryline>): unknown[] {
  return days.flatMap((day) =>
    (day.segments ?? []).flatMap((raw) => {
      const segment = MovesSegment.safeParse(raw);
      if (!segment.success) return [raw];
      const { lastUpdate } = segment.data;
      return (segment.data.activities ?? []).map((a) =>
        typeof a === 'object' && a !== null ? { ...a, lastUpdate } : a,
      );
    }),
  );
}

/**
 * An activity -> an exercise. Transport is not exercise (skipped). Moves reports calories only
 * when the user turned calorie tracking on, and never calories per hour: without calories the
 * activity is rejected.
 */
export const toExercise = schemaMapper(
  MovesActivity.extend({ lastUpdate: MovesSegment.shape.lastUpdate }),
  'not a Moves activity',
  (a) => {
    const activity = name(a.activity) ?? name(a.group);
    if (activity === 'transport' || name(a.group) === 'transport') return null;
    const externalId = a.startTime?.trim();
    const start = fromMovesTime(a.startTime);
    if (!externalId || !start)
      return { reject: `exercise has no readable startTime: ${a.startTime ?? 'absent'}` };
    if (a.calories == null)
      return { externalId, reject: 'Moves gave no calories (calorie tracking off) and no calories per hour' };
    const end = fromMovesTime(a.endTime);
    const duration = a.duration ?? (end ? end.epochSeconds - start.epochSeconds : undefined);
    const label = (activity ?? 'activity').replace(/_/g, ' ');
    return {
      externalId,
      ...(a.lastUpdate && { externalVersion: a.lastUpdate }),
      candidate: {
        kind: 'exercise',
        activityType: label.toLowerCase().replace(/[^a-z]+/g, '_'),
        name: label.charAt(0).toUpperCase() + label.slice(1),
        startedAt: start.iso,
        utcOffsetMinutes: start.utcOffsetMinutes,
        durationSeconds: duration == null ? undefined : Math.round(duration),
        calories: a.calories,
        ...(a.distance != null && { distanceMeters: a.distance }),
      },
    };
  },
);
