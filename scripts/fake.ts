// `pnpm fake <partner> [--port N] [--host H] [--no-seed]`: run one partner's fake API on its own,
// seeded with demo data, until interrupted.
import { parseArgs } from 'node:util';
import { type FakeId, fakes } from '@healthsync/partners/fakes';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-seed': { type: 'boolean', default: false },
  },
});
const id = positionals[0];
if (!id || !(id in fakes)) {
  console.error(`usage: pnpm fake <${Object.keys(fakes).join('|')}> [--port N] [--host H] [--no-seed]`);
  process.exit(2);
}
const P = id.toUpperCase();
const handle = await fakes[id as FakeId]({
  port: Number(values.port),
  host: values.host,
  seed: !values['no-seed'],
  clientId: process.env[`PARTNER_${P}_CLIENT_ID`] ?? `healthsync-${id}`,
  clientSecret: process.env[`PARTNER_${P}_CLIENT_SECRET`] ?? `healthsync-${id}-secret`,
});
console.log(`${id} fake listening on ${handle.url}`);
const stop = async () => {
  await handle.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
