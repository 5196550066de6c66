import { jsonRecord, sharedRecords } from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toMeasurement, WEIGHT_SET } from '../mappers/to-measurement.js';
import { feedResource, mediaType, READ } from './feed.js';

/** What RunKeeper sets itself in a weight set (besides `nearest_*` links): never written back. */
const READ_ONLY = ['uri', 'userID', 'source', 'previous', 'next'];

/** Weight and body fat share weight sets (ids `<set uri>#<type>`): an update or delete of one keeps the other. */
export const measurement = sharedRecords({
  records: feedResource({
    kind: 'measurement',
    path: 'weight',
    item: 'WeightSet',
    split: WEIGHT_SET.split,
    toApp: toMeasurement,
    fromApp: fromMeasurement,
  }),
  fields: WEIGHT_SET.keys,
  keyOf: (m) => m.type,
  encode: fromMeasurement,
  /** The set as stored now, without what RunKeeper sets (a PUT replaces the whole set). */
  ...jsonRecord({
    read: READ,
    mediaType: mediaType('WeightSet'),
    readOnly: (field) => READ_ONLY.includes(field) || field.startsWith('nearest'),
  }),
});
