import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import { pooledPrismaClient } from './pooled-prisma-client.js';

/** Records what the lifecycle asks of a generated client, in order; never touches a database. */
class RecordingPrismaClient {
  readonly calls: string[] = [];
  failSelect = false;

  constructor(readonly options: { adapter: PrismaPg }) {}

  $connect(): Promise<void> {
    this.calls.push('$connect');
    return Promise.resolve();
  }

  $disconnect(): Promise<void> {
    this.calls.push('$disconnect');
    return Promise.resolve();
  }

  $queryRaw(query: TemplateStringsArray): Promise<unknown> {
    this.calls.push(query.join('?'));
    return this.failSelect ? Promise.reject(new Error('connection refused')) : Promise.resolve([]);
  }
}

const PooledRecordingClient = pooledPrismaClient(RecordingPrismaClient);
const url = 'postgres://postgres@127.0.0.1:1/none';

describe('pooledPrismaClient', () => {
  it('runs the client on a named pool through the pg adapter', async () => {
    const client = new PooledRecordingClient(url, 'tally-test');
    assert.ok(client.options.adapter instanceof PrismaPg);
    assert.equal(client.pool.options.application_name, 'tally-test');
    await client.pool.end();
  });

  it('connects and runs SELECT 1 at start', async () => {
    const client = new PooledRecordingClient(url, 'tally-test');
    await client.onModuleInit();
    assert.deepEqual(client.calls, ['$connect', 'SELECT 1']);
    await client.pool.end();
  });

  it('fails start when the database does not answer', async () => {
    const client = new PooledRecordingClient(url, 'tally-test');
    client.failSelect = true;
    await assert.rejects(client.onModuleInit(), /connection refused/);
    await client.pool.end();
  });

  it('disconnects the client, then ends the pool, at shutdown', async (t) => {
    const client = new PooledRecordingClient(url, 'tally-test');
    const end = client.pool.end.bind(client.pool);
    t.mock.method(client.pool, 'end', () => {
      client.calls.push('pool.end');
      return end();
    });
    await client.onModuleDestroy();
    assert.deepEqual(client.calls, ['$disconnect', 'pool.end']);
    assert.equal(client.pool.ended, true);
  });
});
