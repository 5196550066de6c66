// `pnpm --filter @healthsync/partner-withings start`: the fake on PORT (default 8401) with demo users.
import { serveFake } from '@healthsync/partner-kit/fake';
import { startFake } from './index.js';

const fake = await serveFake('withings', startFake, {
  port: Number(process.env.PORT ?? 8401),
  seed: Number(process.env.SEED ?? 1),
});
console.log(`Withings demo users: ${fake.demoUserIds.join(', ')}`);
