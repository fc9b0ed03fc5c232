import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWatchedTestDatabase, waitFor, type WatchedTestDatabase } from '@tally/testkit';
import pg from 'pg';
import { register } from 'prom-client';
import { databasePool } from './database-pool.js';

async function lostConnections(application: string): Promise<number> {
  const metric = await register.getSingleMetric('tally_database_connections_lost_total')?.get();
  return metric?.values.find((v) => v.labels.application === application)?.value ?? 0;
}

/** Issue 12, #15: the server ending a connection must not end the process. */
describe('databasePool when the server terminates its connections', () => {
  let watched: WatchedTestDatabase;

  before(async () => {
    watched = await createWatchedTestDatabase();
  });
  after(async () => {
    await watched?.close();
  });

  const PID_SQL = 'SELECT pg_backend_pid() AS pid';
  const backendPid = async (client: pg.ClientBase) =>
    (await client.query<{ pid: number }>(PID_SQL)).rows[0]?.pid ?? 0;

  it('survives losing a checked-out connection, counts it, and serves the next query', async () => {
    const application = `tally-test-${randomBytes(4).toString('hex')}`;
    const pool = databasePool(watched.db.url, application);
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      // The server sends an error, then closes: pg emits 'error' twice on the checked-out client.
      await watched.terminateBackend(await backendPid(client));
      await waitFor(async () => (await lostConnections(application)) > 0, {
        timeoutMs: 10_000,
        what: 'the lost connection to be counted',
      });
      await assert.rejects(client.query('SELECT 1'));
      client.release(true);
      assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    } finally {
      await pool.end();
    }
  });

  it('survives losing an idle connection and serves the next query', async () => {
    const application = `tally-test-${randomBytes(4).toString('hex')}`;
    const pool = databasePool(watched.db.url, application);
    try {
      const client = await pool.connect();
      const pid = await backendPid(client);
      client.release();
      await watched.terminateBackend(pid);
      await waitFor(async () => pool.totalCount === 0, {
        timeoutMs: 10_000,
        what: 'the pool to drop the lost connection',
      });
      assert.ok((await lostConnections(application)) > 0);
      const next = await pool.query<{ pid: number }>(PID_SQL);
      assert.notEqual(next.rows[0]?.pid, pid, 'a new connection');
    } finally {
      await pool.end();
    }
  });
});
