// `pnpm --filter @healthsync/partner-fitbit start`: the Fitbit fake with demo data, until interrupted.
import { startFake } from './index.js';

const handle = await startFake({
  port: Number(process.env.PORT ?? 0),
  clientId: process.env.PARTNER_FITBIT_CLIENT_ID ?? 'fitbit-client',
  clientSecret: process.env.PARTNER_FITBIT_CLIENT_SECRET ?? 'fitbit-client-secret',
});
console.log(`fitbit fake listening on ${handle.url}`);
const stop = () => void handle.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
