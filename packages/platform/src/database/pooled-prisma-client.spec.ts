import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PrismaPg } from '@prisma/adapter-pg';
import { createWatchedTestDatabase, waitFor, type WatchedTestDatabase } from '@tally/testkit';
import { pooledPrismaClient } from './pooled-prisma-client.js';

type AdapterConnection = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Stands in for an app's generated PrismaClient (the platform has no schema to generate one
 * from): like it, it runs every statement through the pg adapter it is given, so on the pool.
 */
class AdapterClient {
  disconnects = 0;
  failDisconnect = false;
  private connection: AdapterConnection | undefined;

  constructor(private readonly options: { adapter: PrismaPg }) {}

  async $connect(): Promise<void> {
    this.connection ??= await this.options.adapter.connect();
  }

  async $disconnect(): Promise<void> {
    this.disconnects++;
    if (this.failDisconnect) throw new Error('disconnect failed');
    await this.connection?.dispose();
    this.connection = undefined;
  }

  async $queryRaw(query: TemplateStringsArray): Promise<unknown> {
    await this.$connect();
    return this.connection?.queryRaw({ sql: query.join('?'), args: [], argTypes: [] });
  }
}

const PooledAdapterClient = pooledPrismaClient(AdapterClient);
const UNREACHABLE_URL = 'postgres://postgres@127.0.0.1:1/none';

describe('pooledPrismaClient on Postgres', () => {
  let watched: WatchedTestDatabase;
  before(async () => {
    watched = await createWatchedTestDatabase();
  });
  after(async () => {
    await watched?.close();
  });

  /** A client on the test database under a name of its own, to find its connections by. */
  const newClient = () => {
    const name = `tally-test-${randomBytes(4).toString('hex')}`;
    return { name, client: new PooledAdapterClient(watched.db.url, name) };
  };
  const connectionsOf = async (name: string) => {
    const { rows } = await watched.admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [name],
    );
    return rows[0]?.n ?? 0;
  };

  it('connects on init through its named pool', async () => {
    const { name, client } = newClient();
    try {
      await client.onModuleInit();
      assert.equal(await connectionsOf(name), 1);
    } finally {
      await client.onModuleDestroy();
    }
  });

  it('fails init when the database does not answer', async () => {
    const client = new PooledAdapterClient(UNREACHABLE_URL, 'tally-test');
    try {
      await assert.rejects(client.onModuleInit(), /DatabaseNotReachable/);
    } finally {
      await client.onModuleDestroy();
    }
  });

  it('closes its connections at shutdown; a second shutdown is a no-op', async () => {
    const { name, client } = newClient();
    await client.onModuleInit();
    await client.onModuleDestroy();
    assert.equal(client.pool.ended, true);
    await client.onModuleDestroy();
    assert.equal(client.disconnects, 1);
    await waitFor(async () => (await connectionsOf(name)) === 0, {
      timeoutMs: 5_000,
      what: `the connections of ${name} to close`,
    });
  });

  it('still ends the pool when the client fails to disconnect, and reports that', async () => {
    const { client } = newClient();
    await client.onModuleInit();
    client.failDisconnect = true;
    await assert.rejects(client.onModuleDestroy(), /disconnect failed/);
    assert.equal(client.pool.ended, true);
    assert.equal(client.pool.totalCount, 0);
  });
});
