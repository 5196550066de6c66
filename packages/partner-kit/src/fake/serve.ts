import type { PartnerFakeOptions } from './partner-fake.js';
import type { FakeHandle } from './types.js';

/**
 * A partner's `pnpm start`: its fake on `PORT` (any free port when unset) with the client
 * credentials of `PARTNER_<ID>_CLIENT_ID` / `_CLIENT_SECRET` (the fake's own defaults when unset),
 * until SIGINT or SIGTERM.
 */
export async function serveFake<H extends FakeHandle, O extends PartnerFakeOptions>(
  partner: string,
  start: (options: O) => Promise<H>,
  options: O,
): Promise<H> {
  const env = (name: string) => process.env[`PARTNER_${partner.toUpperCase()}_${name}`];
  const clientId = env('CLIENT_ID');
  const clientSecret = env('CLIENT_SECRET');
  const handle = await start({
    port: Number(process.env.PORT ?? 0),
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...options,
  });
  console.log(`${partner} fake listening on ${handle.url} (client ${handle.clientId})`);
  const stop = () => void handle.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return handle;
}
