import { fromRfc2822Local, schemaMapper } from '@healthsync/partner-kit';
import { RunKeeperWeightSet } from '../schemas.js';

/** The weight-set fields this partner maps, by the app's measurement type. */
export const WEIGHT_SET_FIELDS = { weight: 'weight', body_fat: 'fat_percent' } as const;
export type WeightSetType = keyof typeof WEIGHT_SET_FIELDS;
/** One weight set holds up to two measurements; each gets its own id: `<set uri>#<type>`. */
export const measurementId = (uri: string, type: WeightSetType) => `${uri}#${type}`;

/** A weight set with weight and body fat -> one view per measurement (the other field nulled). */
export function splitWeightSet(raw: unknown): unknown[] {
  const set = RunKeeperWeightSet.safeParse(raw);
  if (!set.success || set.data.weight == null || set.data.fat_percent == null) return [raw];
  return [
    { ...set.data, fat_percent: null },
    { ...set.data, weight: null },
  ];
}

/** A weight-set view (kg or %, local time without zone: read as UTC) -> a weight or body-fat measurement. */
export const toMeasurement = schemaMapper(RunKeeperWeightSet, 'not a RunKeeper weight set', (set) => {
  const type = set.weight != null ? 'weight' : set.fat_percent != null ? 'body_fat' : undefined;
  if (!type) return { externalId: set.uri, reject: 'weight set has neither weight nor fat_percent' };
  const measuredAt = fromRfc2822Local(set.timestamp, 0)?.iso;
  const externalId = measurementId(set.uri, type);
  if (!measuredAt)
    return { externalId, reject: `measurement has no readable timestamp: ${set.timestamp ?? 'absent'}` };
  const [value, unit] = type === 'weight' ? [set.weight, 'kg'] : [set.fat_percent, '%'];
  return {
    externalId,
    candidate: { kind: 'measurement', type, value, unit, measuredAt, utcOffsetMinutes: 0 },
  };
});
