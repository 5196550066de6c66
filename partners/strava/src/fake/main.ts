// `pnpm --filter @healthsync/partner-strava start`: the Strava fake with demo data, until interrupted.
import { startFake } from './index.js';

const handle = await startFake({
  port: Number(process.env.PORT ?? 0),
  clientId: process.env.PARTNER_STRAVA_CLIENT_ID ?? '12345',
  clientSecret: process.env.PARTNER_STRAVA_CLIENT_SECRET ?? 'strava-client-secret',
});
console.log(`strava fake listening on ${handle.url}`);
const stop = () => void handle.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
