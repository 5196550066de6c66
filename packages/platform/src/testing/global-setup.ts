import pg from 'pg';
import { TEST_DATABASE_URL } from './test-database.js';
import { TEST_AMQP_MANAGEMENT_URL } from './test-vhost.js';

/**
 * Runs once before the integration tier: fail fast, with what is missing and how to get it,
 * when PostgreSQL or RabbitMQ (with its management API) does not answer.
 */
export default async function setup(): Promise<void> {
  process.env.HS_TEST_RUN ??= Date.now().toString(36);
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    // Databases left by killed runs would only waste disk: drop those older than two hours (their
    // names carry their creation time), never ones a concurrent run may be using.
    const stale = await client.query<{ datname: string }>(
      `select datname from pg_database where datname like 'hs_t_%' or datname like 'hs_tpl_%'`,
    );
    for (const row of stale.rows) {
      const created = Number.parseInt(row.datname.split('_')[2] ?? '', 36);
      if (Number.isFinite(created) && Date.now() - created > 2 * 3600_000) {
        await client.query(`drop database if exists "${row.datname}" with (force)`);
      }
    }
  } catch (e) {
    problems.push(`PostgreSQL at ${TEST_DATABASE_URL} does not answer (${String(e)}); set TEST_DATABASE_URL`);
  } finally {
    await client.end().catch(() => {});
  }
  try {
    const u = new URL(TEST_AMQP_MANAGEMENT_URL);
    const auth = Buffer.from(`${u.username}:${u.password}`).toString('base64');
    u.username = '';
    u.password = '';
    const res = await fetch(new URL('/api/overview', u), { headers: { authorization: `Basic ${auth}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    problems.push(
      `RabbitMQ management API at ${TEST_AMQP_MANAGEMENT_URL} does not answer (${String(e)}); ` +
        'run `rabbitmq-plugins enable rabbitmq_management` or set TEST_AMQP_MANAGEMENT_URL',
    );
  }
  if (problems.length > 0) throw new Error(`Integration tests need:\n- ${problems.join('\n- ')}`);
}
