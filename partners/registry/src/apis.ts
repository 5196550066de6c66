// The installed partners' API modules: only the sync worker loads these.
import { api as fitbit } from '@healthsync/partner-fitbit';
import type { PartnerApi } from '@healthsync/partner-kit';
import { api as moves } from '@healthsync/partner-moves';
import { api as runkeeper } from '@healthsync/partner-runkeeper';
import { api as strava } from '@healthsync/partner-strava';
import { api as withings } from '@healthsync/partner-withings';

export const apis: readonly PartnerApi[] = [withings, fitbit, runkeeper, moves, strava];

export function apiOf(id: string): PartnerApi {
  const found = apis.find((a) => a.declaration.id === id);
  if (!found)
    throw new Error(`unknown partner "${id}"; installed: ${apis.map((a) => a.declaration.id).join(', ')}`);
  return found;
}
