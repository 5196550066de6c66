import { createHash } from 'node:crypto';
import type { Container } from '@healthsync/partner-kit/declaration';

/**
 * A hash of what an item means, tolerant of the rounding a partner applies on a round trip
 * (numbers to one decimal, times to the minute, the partner's source unit ignored). Two items
 * with the same hash are the same data: a polled item equal to what we stored or pushed is an
 * echo, not an edit.
 */
export function contentHash(container: Container): string {
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(container).sort(([a], [b]) => a.localeCompare(b))) {
    if (key === 'source' || value === undefined) continue;
    if (typeof value === 'number') normalized[key] = Math.round(value * 10) / 10;
    else if (typeof value === 'string' && /At$/.test(key))
      normalized[key] = Math.floor(Date.parse(value) / 60_000);
    else if (typeof value === 'string') normalized[key] = value.trim().toLowerCase();
    else normalized[key] = value;
  }
  return createHash('sha256').update(JSON.stringify(normalized)).digest('base64url').slice(0, 32);
}
