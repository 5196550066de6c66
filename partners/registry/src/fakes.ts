// The installed partners' fake servers, for tests, `pnpm fake <id>` and the demo.
import { startFake as fitbit } from '@healthsync/partner-fitbit/fake';
import { startFake as moves } from '@healthsync/partner-moves/fake';
import { startFake as runkeeper } from '@healthsync/partner-runkeeper/fake';
import { startFake as strava } from '@healthsync/partner-strava/fake';
import { startFake as withings } from '@healthsync/partner-withings/fake';

export const fakes = { withings, fitbit, runkeeper, moves, strava } as const;
export type FakeId = keyof typeof fakes;
