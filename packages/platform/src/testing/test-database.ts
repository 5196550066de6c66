import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../db/db.js';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly db: Db;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * A migrated template shared by test files: created once (under an advisory lock, so parallel
   * files wait for the first) by running `migrate`, then every test database is a cheap copy.
   * `name` must change when the migrations change (e.g. include a hash or version).
   */
  template?: { name: string; migrate: (db: Db) => Promise<void> };
  poolSize?: number;
}

const templatesReady = new Set<string>();

async function ensureTemplate(template: NonNullable<TestDatabaseOptions['template']>): Promise<string> {
  // Templates belong to one test run (HS_TEST_RUN, set by the global setup), so a template built
  // from older migrations is never reused.
  const run = process.env.HS_TEST_RUN ?? Date.now().toString(36);
  const name = `hs_tpl_${run}_${template.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`.slice(0, 60);
  if (templatesReady.has(name)) return name;
  await admin(async (client) => {
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_build_${randomBytes(3).toString('hex')}`;
        await client.query(`create database "${building}"`);
        const db = createDb(withDatabase(TEST_DATABASE_URL, building), { max: 2 });
        try {
          await template.migrate(db);
        } finally {
          await db.destroy();
        }
        await client.query(`alter database "${building}" rename to "${name}"`);
      }
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
  templatesReady.add(name);
  return name;
}

/** A fresh database for one test file, dropped by `drop()`. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `hs_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const template = options.template ? await ensureTemplate(options.template) : undefined;
  await admin(async (client) => {
    // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template;
    // templates are only ever connected to while being built, under the lock above.
    await client.query(
      template ? `create database "${name}" template "${template}"` : `create database "${name}"`,
    );
  });
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = createDb(url, { max: options.poolSize ?? 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
