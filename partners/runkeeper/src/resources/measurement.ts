import { jsonRecord, sharedRecords } from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toMeasurement, WEIGHT_SET } from '../mappers/to-measurement.js';
import { feedResource, mediaType, READ } from './feed.js';

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
  ...WEIGHT_SET.shared,
  encode: fromMeasurement,
  /** The set as stored now, without what RunKeeper sets itself (links, owner, source): a PUT replaces the whole set. */
  ...jsonRecord({
    read: READ,
    mediaType: mediaType('WeightSet'),
    readOnly: ['uri', 'userID', 'source', 'previous', 'next', 'nearest*'],
  }),
});
