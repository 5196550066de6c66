import { z } from 'zod';

// Tolerant schemas of what the Health Graph sends (https://runkeeper.com/developer/healthgraph/overview):
// unknown fields pass, optional fields may be absent or null; the mappers decide what is usable.

/** A resource link: RunKeeper gives paths ("/fitnessActivities/1"); an absolute URL is reduced to its path. */
export const RunKeeperUri = z
  .string()
  .min(1)
  .transform((uri) => {
    const url = new URL(uri, 'http://runkeeper.invalid');
    return `${url.pathname}${url.search}`;
  });
const amount = z.number().finite().nullish();

/** `GET /user`: the root that names every resource path. */
export const RunKeeperUser = z.looseObject({
  userID: z.union([z.number(), z.string().min(1)]).transform(String),
  fitness_activities: RunKeeperUri,
  weight: RunKeeperUri,
  nutrition: RunKeeperUri,
});
export type RunKeeperUser = z.infer<typeof RunKeeperUser>;

/** Every feed page; items are parsed one by one so a bad item is rejected alone. */
export const RunKeeperFeed = z.looseObject({
  size: z.number().optional(),
  items: z.array(z.unknown()),
  next: RunKeeperUri.nullish(),
});

export const RunKeeperFitnessActivity = z.looseObject({
  uri: RunKeeperUri,
  type: z.string().nullish(),
  start_time: z.string().nullish(),
  /** Hours, only on RunKeeper-recorded activities. */
  utc_offset: amount,
  duration: amount,
  total_distance: amount,
  total_calories: amount,
  notes: z.string().nullish(),
  source: z.string().nullish(),
});
export type RunKeeperFitnessActivity = z.infer<typeof RunKeeperFitnessActivity>;

export const RunKeeperWeightSet = z.looseObject({
  uri: RunKeeperUri,
  timestamp: z.string().nullish(),
  weight: amount,
  fat_percent: amount,
  free_mass: amount,
  mass_weight: amount,
  bmi: amount,
});
export type RunKeeperWeightSet = z.infer<typeof RunKeeperWeightSet>;

export const RunKeeperNutritionSet = z.looseObject({
  uri: RunKeeperUri,
  timestamp: z.string().nullish(),
  calories: amount,
  carbohydrates: amount,
  fat: amount,
  protein: amount,
  source: z.string().nullish(),
});
export type RunKeeperNutritionSet = z.infer<typeof RunKeeperNutritionSet>;
