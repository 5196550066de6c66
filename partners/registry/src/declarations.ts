// The installed partners' declarations: plain data and small pure hooks, no API code.
import { declaration as fitbit } from '@healthsync/partner-fitbit/declaration';
import type { PartnerDeclaration } from '@healthsync/partner-kit/declaration';
import { declaration as moves } from '@healthsync/partner-moves/declaration';
import { declaration as runkeeper } from '@healthsync/partner-runkeeper/declaration';
import { declaration as strava } from '@healthsync/partner-strava/declaration';
import { declaration as withings } from '@healthsync/partner-withings/declaration';

export const declarations: readonly PartnerDeclaration[] = [withings, fitbit, runkeeper, moves, strava];

export const partnerIds: readonly string[] = declarations.map((d) => d.id);

export function declarationOf(id: string): PartnerDeclaration {
  const found = declarations.find((d) => d.id === id);
  if (!found) throw new Error(`unknown partner "${id}"; installed: ${partnerIds.join(', ')}`);
  return found;
}
