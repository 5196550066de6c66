import {
  type KindResource,
  type Measurement,
  PartnerError,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import {
  measurementId,
  splitWeightSet,
  toMeasurement,
  WEIGHT_SET_FIELDS,
  type WeightSetType,
} from '../mappers/to-measurement.js';
import { RunKeeperWeightSet } from '../schemas.js';
import { feedResource, mediaType, parseBody, put } from './feed.js';

const WRITABLE = ['timestamp', 'weight', 'fat_percent', 'free_mass', 'mass_weight', 'bmi'] as const;

function split(externalId: string): { uri: string; type: WeightSetType } {
  const [uri, type] = externalId.split('#');
  if (!uri || (type !== 'weight' && type !== 'body_fat'))
    throw new PartnerError('not_found', `not a weight-set measurement id: ${externalId}`);
  return { uri, type };
}

/** The set as stored now, reduced to its writable fields (a PUT replaces the whole set). */
async function current(ctx: ResourceContext, uri: string): Promise<Record<string, unknown>> {
  const res = await ctx.http.request({
    method: 'GET',
    path: uri,
    headers: { accept: mediaType('WeightSet') },
  });
  const set = parseBody(RunKeeperWeightSet, res, 'WeightSet');
  return Object.fromEntries(WRITABLE.flatMap((k) => (set[k] == null ? [] : [[k, set[k]]])));
}

/** Weight and body fat share weight sets: an update or delete of one keeps the other. */
const sets = feedResource({
  kind: 'measurement',
  path: 'weight',
  names: { feed: 'WeightSetFeed', item: 'WeightSet', create: 'NewWeightSet' },
  split: splitWeightSet,
  toApp: toMeasurement,
  fromApp: fromMeasurement,
});

/** Weight and body fat share weight sets: an update or delete of one keeps the other. */
export const measurement: Required<KindResource<Measurement>> = {
  poll: sets.poll,
  create: async (ctx, m) => ({
    externalId: measurementId((await sets.create(ctx, m)).externalId, m.type as WeightSetType),
  }),
  update: async (ctx, externalId, m) => {
    const { uri } = split(externalId);
    await put(ctx, uri, 'WeightSet', { ...(await current(ctx, uri)), ...fromMeasurement(m) });
    return { externalId: measurementId(uri, m.type as WeightSetType) };
  },
  delete: async (ctx, externalId) => {
    const { uri, type } = split(externalId);
    const { [WEIGHT_SET_FIELDS[type]]: _gone, ...rest } = await current(ctx, uri);
    if (rest.weight === undefined && rest.fat_percent === undefined) return sets.delete(ctx, uri);
    await put(ctx, uri, 'WeightSet', rest);
  },
};
