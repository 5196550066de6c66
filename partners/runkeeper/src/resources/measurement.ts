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
import { feedResource, getTyped, put } from './feed.js';

const READ_ONLY = ['uri', 'userID', 'source', 'previous', 'next'];

function split(externalId: string): { uri: string; type: WeightSetType } {
  const [uri = '', type] = externalId.split('#');
  if (type === 'weight' || type === 'body_fat') return { uri, type };
  throw new PartnerError('not_found', `not a weight-set measurement id: ${externalId}`);
}

/** The set as stored now, without what the partner sets (a PUT replaces the whole set). */
async function current(ctx: ResourceContext, uri: string): Promise<Record<string, unknown>> {
  const set = await getTyped(ctx.http, uri, 'WeightSet', RunKeeperWeightSet);
  const writable = ([k, v]: [string, unknown]) =>
    v != null && !READ_ONLY.includes(k) && !k.startsWith('nearest');
  return Object.fromEntries(Object.entries(set).filter(writable));
}

const sets = feedResource({
  kind: 'measurement',
  path: 'weight',
  names: { feed: 'WeightSetFeed', item: 'WeightSet', create: 'NewWeightSet' },
  split: splitWeightSet,
  toApp: toMeasurement,
  fromApp: fromMeasurement,
});
const idOf = (uri: string, m: Measurement) =>
  measurementId(uri, m.type === 'body_fat' ? 'body_fat' : 'weight');

/** Weight and body fat share weight sets: an update or delete of one keeps the other. */
export const measurement: Required<KindResource<Measurement>> = {
  poll: sets.poll,
  create: async (ctx, m) => ({ externalId: idOf((await sets.create(ctx, m)).externalId, m) }),
  update: async (ctx, externalId, m) => {
    const { uri } = split(externalId);
    await put(ctx, uri, 'WeightSet', { ...(await current(ctx, uri)), ...fromMeasurement(m) });
    return { externalId: idOf(uri, m) };
  },
  delete: async (ctx, externalId) => {
    const { uri, type } = split(externalId);
    const { [WEIGHT_SET_FIELDS[type]]: _gone, ...rest } = await current(ctx, uri);
    if (!Object.values(WEIGHT_SET_FIELDS).some((f) => f in rest)) return sets.delete(ctx, uri);
    await put(ctx, uri, 'WeightSet', rest);
  },
};
