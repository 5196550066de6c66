import {
  getJson,
  type KindResource,
  type Measurement,
  PartnerError,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromMeasurement } from '../mappers/from-measurement.js';
import {
  measurementId,
  splitWeightSet,
  toMeasurement,
  WEIGHT_SET_FIELDS,
} from '../mappers/to-measurement.js';
import { feedResource, mediaType, READ } from './feed.js';

const READ_ONLY = ['uri', 'userID', 'source', 'previous', 'next'];

function split(externalId: string) {
  const [uri = '', type] = externalId.split('#');
  if (type === 'weight' || type === 'body_fat') return { uri, type } as const;
  throw new PartnerError('not_found', `not a weight-set measurement id: ${externalId}`);
}

/** The set as stored now, without what the partner sets (a PUT replaces the whole set). */
async function current({ http }: ResourceContext, uri: string): Promise<Record<string, unknown>> {
  const set = await getJson(http, uri, z.record(z.string(), z.unknown()), {
    ...READ,
    headers: { accept: mediaType('WeightSet') },
  });
  const writable = ([k, v]: [string, unknown]) =>
    v != null && !READ_ONLY.includes(k) && !k.startsWith('nearest');
  return Object.fromEntries(Object.entries(set).filter(writable));
}

const sets = feedResource({
  kind: 'measurement',
  path: 'weight',
  item: 'WeightSet',
  split: splitWeightSet,
  toApp: toMeasurement,
  fromApp: fromMeasurement,
});
const idOf = (uri: string, m: Measurement) =>
  measurementId(uri, m.type === 'body_fat' ? 'body_fat' : 'weight');
const put = (ctx: ResourceContext, uri: string, json: object) =>
  ctx.http.request({ method: 'PUT', path: uri, json, headers: { 'content-type': mediaType('WeightSet') } });

/** Weight and body fat share weight sets: an update or delete of one keeps the other. */
export const measurement: Required<KindResource<Measurement>> = {
  poll: (ctx, cursor) => sets.poll!(ctx, cursor),
  create: async (ctx, m) => ({ externalId: idOf((await sets.create!(ctx, m)).externalId, m) }),
  update: async (ctx, externalId, m) => {
    const { uri } = split(externalId);
    const body = fromMeasurement(m);
    if ('reject' in body) throw new PartnerError('invalid_data', String(body.reject));
    await put(ctx, uri, { ...(await current(ctx, uri)), ...body });
    return { externalId: idOf(uri, m) };
  },
  delete: async (ctx, externalId) => {
    const { uri, type } = split(externalId);
    const { [WEIGHT_SET_FIELDS[type]]: _gone, ...rest } = await current(ctx, uri);
    if (!Object.values(WEIGHT_SET_FIELDS).some((f) => f in rest)) return sets.delete!(ctx, uri);
    await put(ctx, uri, rest);
  },
};
