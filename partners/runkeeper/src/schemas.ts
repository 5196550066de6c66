import type { RawReader } from '@healthsync/partner-kit';
import { z } from 'zod';

// Tolerant schemas of what the Health Graph sends (https://runkeeper.com/developer/healthgraph/overview)
// besides the items the field mappers read: links, the user root and feed pages. Unknown fields pass.

/** A resource link: RunKeeper gives paths (`/fitnessActivities/1`); an absolute URL is reduced to its path. */
export const RunKeeperUri = z
  .string()
  .transform((uri) => uri.replace(/^[a-z]+:\/\/[^/]+/i, ''))
  .pipe(z.string().startsWith('/'));

/** An item's `uri` as its id (a path), read with the field mappers' reader. */
export const uriOf = (r: RawReader): string | undefined => RunKeeperUri.safeParse(r.get('uri')).data;

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
