import { z } from 'zod';
import type { ResourceContext } from './define-partner.js';
import { type RawPath, rawReader } from './fields.js';
import { getJson, type JsonReadOptions } from './read.js';
import type { Zone } from './units.js';

const MINUTES = { ms: 1 / 60_000, s: 1 / 60, min: 1, h: 60 } as const;

/**
 * The user's zone read from their profile (partners whose times carry no offset), at every call
 * so a change of zone (travel, daylight saving) is seen: the UTC offset at `field` in `unit`
 * (rounded to minutes, 0 when absent), or without `unit` an IANA zone name (`UTC` when absent).
 * For `dayWindowPoll`'s `zone`.
 */
export function profileZone(
  path: string,
  field: RawPath,
  unit: keyof typeof MINUTES,
  read?: JsonReadOptions,
): (ctx: ResourceContext) => Promise<number>;
export function profileZone(
  path: string,
  field: RawPath,
  unit?: undefined,
  read?: JsonReadOptions,
): (ctx: ResourceContext) => Promise<string>;
export function profileZone(
  path: string,
  field: RawPath,
  unit?: keyof typeof MINUTES,
  read: JsonReadOptions = {},
): (ctx: ResourceContext) => Promise<Zone> {
  return async ({ http }) => {
    const profile = rawReader(await getJson(http, path, z.unknown(), read));
    if (unit === undefined) return profile.text(field) ?? 'UTC';
    return Math.round((profile.num(field) ?? 0) * MINUTES[unit]);
  };
}
