import type { Measurement } from '@healthsync/partner-kit';
import { RunKeeperWeightSet } from '../schemas.js';
import { check, fromRunKeeperTime, type Mapped, reject } from './common.js';

/** The weight-set fields this partner maps, by the app's measurement type. */
export const WEIGHT_SET_FIELDS = { weight: 'weight', body_fat: 'fat_percent' } as const;
export type WeightSetType = keyof typeof WEIGHT_SET_FIELDS;
/** One weight set holds up to two measurements; each gets its own id: `<set uri>#<type>`. */
export const measurementId = (uri: string, type: WeightSetType) => `${uri}#${type}`;

/** A WeightSetFeed item (kg and %, local time without zone: read as UTC) -> weight and body-fat measurements. */
export function toMeasurements(raw: unknown): Mapped<Measurement> {
  const parsed = RunKeeperWeightSet.safeParse(raw);
  if (!parsed.success) return reject(`not a RunKeeper weight set: ${parsed.error.message}`, raw);
  const set = parsed.data;
  const measuredAt = fromRunKeeperTime(set.timestamp, 0);
  if (!measuredAt)
    return reject(`timestamp missing or unreadable: ${set.timestamp ?? 'absent'}`, raw, set.uri);
  const out: Mapped<Measurement> = { items: [], rejected: [] };
  for (const [type, field] of Object.entries(WEIGHT_SET_FIELDS) as [WeightSetType, keyof typeof set][]) {
    const value = set[field];
    if (typeof value !== 'number') continue;
    const unit = type === 'weight' ? 'kg' : '%';
    const one = check(
      'measurement',
      measurementId(set.uri, type),
      { kind: 'measurement', type, value, unit, measuredAt, utcOffsetMinutes: 0 },
      raw,
    );
    out.items.push(...one.items);
    out.rejected.push(...one.rejected);
  }
  if (out.items.length + out.rejected.length === 0)
    return reject('weight set has neither weight nor fat_percent', raw, set.uri);
  return out;
}
