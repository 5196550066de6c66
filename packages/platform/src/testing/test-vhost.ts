import { randomBytes } from 'node:crypto';

export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The broker's management API (vhosts are created through it). */
export const TEST_AMQP_MANAGEMENT_URL =
  process.env.TEST_AMQP_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

export async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const base = new URL(TEST_AMQP_MANAGEMENT_URL);
  const auth = Buffer.from(
    `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`,
  ).toString('base64');
  base.username = '';
  base.password = '';
  const res = await fetch(new URL(`/api${path}`, base), {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok && res.status !== 404)
    throw new Error(`management ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export interface TestVhost {
  readonly name: string;
  readonly url: string;
  /** Force-close every client connection of this vhost (simulates the broker going away). */
  closeConnections(): Promise<number>;
  drop(): Promise<void>;
}

/** A fresh RabbitMQ vhost for one test file, so files run in parallel without sharing queues. */
export async function createTestVhost(): Promise<TestVhost> {
  const name = `hs_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(new URL(TEST_AMQP_URL).username || 'guest');
  await management('PUT', `/vhosts/${encodeURIComponent(name)}`, {});
  await management('PUT', `/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const url = new URL(TEST_AMQP_URL);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    async closeConnections() {
      const res = await management('GET', `/vhosts/${encodeURIComponent(name)}/connections`);
      const connections = res.ok ? ((await res.json()) as { name: string }[]) : [];
      for (const c of connections) {
        await management('DELETE', `/connections/${encodeURIComponent(c.name)}`);
      }
      return connections.length;
    },
    async drop() {
      await management('DELETE', `/vhosts/${encodeURIComponent(name)}`);
    },
  };
}
