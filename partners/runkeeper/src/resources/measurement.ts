import { jsonRecord, sharedRecords } from '@healthsync/partner-kit';
import { MEASUREMENT, WEIGHT_SET } from '../mappers/to-measurement.js';
import { feedResource, mediaType } from './feed.js';

/** Weight and body fat share weight sets (ids `<set uri>#<type>`): an update or delete of one keeps the other. */
export const measurement = sharedRecords({
  records: feedResource({ ...MEASUREMENT, split: WEIGHT_SET.split }, 'weight', 'WeightSet'),
  ...WEIGHT_SET.shared,
  encode: MEASUREMENT.fromApp,
  /** The set as stored now, without what RunKeeper sets itself (links, owner, source): a PUT replaces the whole set. */
  ...jsonRecord({
    mediaType: mediaType('WeightSet'),
    readOnly: ['uri', 'userID', 'source', 'previous', 'next', 'nearest*'],
  }),
});
