import { startFake } from './index.js';

// `pnpm --filter @healthsync/partner-withings start`: the fake on PORT (default 8401) with demo users.
const fake = await startFake({ port: Number(process.env.PORT ?? 8401), seed: Number(process.env.SEED ?? 1) });
process.stdout.write(
  `Withings fake on ${fake.url} (client ${fake.clientId}); demo users ${fake.demoUserIds.join(', ')}\n`,
);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
