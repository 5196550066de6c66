// `pnpm --filter @healthsync/partner-strava start`: the Strava fake with demo data, until interrupted.
import { serveFake } from '@healthsync/partner-kit/fake';
import { startFake } from './index.js';

await serveFake('strava', startFake, {});
