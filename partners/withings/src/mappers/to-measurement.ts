import { Measurement } from '@healthsync/partner-kit';
import { WithingsMeasureGroup } from '../schemas.js';
import { decimal, localTime, type Mapped, reasonOf, reject } from './common.js';

/** meastype -> our type, our unit, Withings' SI unit, and the power of ten between them (m -> cm). */
const TYPES: Record<number, readonly [Measurement['type'], Measurement['unit'], string, number]> = {
  1: ['weight', 'kg', 'kg', 0],
  4: ['height', 'cm', 'm', 2],
  6: ['body_fat', '%', '%', 0],
};
/** attrib 1: a device measure that may belong to another user; 4: typed in at account creation. */
const SKIPPED: Record<number, string> = {
  1: 'ambiguous device measure (attrib 1)',
  4: 'value from account creation (attrib 4)',
};

/** One Withings measure group (weight, fat ratio, height measures) -> measurements, or reasons. */
export function toMeasurements(raw: unknown, timezone = 'UTC'): Mapped<Measurement> {
  const parsed = WithingsMeasureGroup.safeParse(raw);
  if (!parsed.success) return reject(undefined, `malformed measure group: ${reasonOf(parsed.error)}`, raw);
  const { grpid, attrib, date, modified, category, measures } = parsed.data;
  if (category !== 1) return { items: [], rejected: [] }; // category 2 = the user's objectives
  const skipped = SKIPPED[attrib];
  if (skipped) return reject(String(grpid), skipped, raw);
  let at: ReturnType<typeof localTime>;
  try {
    at = localTime(date, timezone);
  } catch {
    return reject(String(grpid), `unknown timezone ${timezone}`, raw);
  }
  const out: Mapped<Measurement> = { items: [], rejected: [] };
  for (const m of measures) {
    const t = TYPES[m.type];
    if (!t) continue;
    const [type, unit, siUnit, shift] = t;
    const externalId = `${grpid}-${m.type}`;
    const result = Measurement.safeParse({
      kind: 'measurement',
      type,
      value: decimal(m.value, m.unit + shift),
      unit,
      measuredAt: at.iso,
      utcOffsetMinutes: at.offsetMinutes,
      source: { value: decimal(m.value, m.unit), unit: siUnit },
    });
    if (result.success)
      out.items.push({ externalId, externalVersion: String(modified ?? date), data: result.data });
    else out.rejected.push({ externalId, reason: reasonOf(result.error), raw: m });
  }
  return out;
}
