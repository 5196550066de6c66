import { LinkPath } from '@healthsync/partner-kit';
import { z } from 'zod';

// Tolerant schemas of what the Health Graph sends (https://runkeeper.com/developer/healthgraph/overview)
// besides the items the field mappers read. Links are paths (`/fitnessActivities/1`; an absolute URL
// is read as its path). Unknown fields pass.

/** `GET /user`: the root that names every resource path. */
export const RunKeeperUser = z.looseObject({
  userID: z.union([z.number(), z.string().min(1)]).transform(String),
  fitness_activities: LinkPath,
  weight: LinkPath,
  nutrition: LinkPath,
});
