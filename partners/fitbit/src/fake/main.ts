// `pnpm --filter @healthsync/partner-fitbit start`: the Fitbit fake with demo data, until interrupted.
import { serveFake } from '@healthsync/partner-kit/fake';
import { startFake } from './index.js';

await serveFake('fitbit', startFake, {});
