import { z } from 'zod';

// Tolerant schemas of what the Health Graph sends (https://runkeeper.com/developer/healthgraph/overview):
// unknown fields pass (and are kept), optional fields may be absent or null; the mappers decide what is usable.

/** A resource link: RunKeeper gives paths (`/fitnessActivities/1`); an absolute URL is reduced to its path. */
export const RunKeeperUri = z
  .string()
  .transform((uri) => uri.replace(/^[a-z]+:\/\/[^/]+/i, ''))
  .pipe(z.string().startsWith('/'));
const amount = z.number().finite().nullish();
const text = z.string().nullish();

/** `GET /user`: the root that names every resource path. */
export const RunKeeperUser = z.looseObject({
  userID: z.union([z.number(), z.string().min(1)]).transform(String),
  fitness_activities: RunKeeperUri,
  weight: RunKeeperUri,
  nutrition: RunKeeperUri,
});
export type RunKeeperUser = z.infer<typeof RunKeeperUser>;

/** A feed page (newest first); items are parsed one by one so a bad item is rejected alone. */
export const RunKeeperFeed = z.looseObject({ items: z.array(z.unknown()), next: RunKeeperUri.nullish() });

/** `utc_offset` (hours) comes only on RunKeeper-recorded activities. */
export const RunKeeperFitnessActivity = z.looseObject({
  uri: RunKeeperUri,
  type: text,
  start_time: text,
  utc_offset: amount,
  duration: amount,
  total_distance: amount,
  total_calories: amount,
  notes: text,
});

export const RunKeeperWeightSet = z.looseObject({
  uri: RunKeeperUri,
  timestamp: text,
  weight: amount,
  fat_percent: amount,
});

export const RunKeeperNutritionSet = z.looseObject({
  uri: RunKeeperUri,
  timestamp: text,
  calories: amount,
  carbohydrates: amount,
  fat: amount,
  protein: amount,
  source: text,
});
