import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startPrivatePostgres } from './private-postgres.js';

async function serverPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]?.pid ?? 0;
  } finally {
    await client.end();
  }
}

test('a private Postgres crashes and starts again on its port, and is removed at stop', async () => {
  const server = await startPrivatePostgres();
  try {
    assert.ok((await serverPid(server.url)) > 0);
    await server.crash();
    await assert.rejects(serverPid(server.url), /ECONNREFUSED/);
    await server.start();
    assert.ok((await serverPid(server.url)) > 0, 'answers again after start()');
  } finally {
    await server.stop();
  }
  assert.equal(existsSync(dirname(server.logFile)), false);
  await server.stop();
});
