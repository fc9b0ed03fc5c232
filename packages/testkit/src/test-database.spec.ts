import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'pg';
import { createTestDatabase, freePort } from './entry.js';

async function connectTo(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  // The drop below terminates this connection on purpose.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

test('creates a fresh database, uses it, drops it even with a connection open', async () => {
  const db = await createTestDatabase();
  assert.match(db.name, /^tally_test_[0-9a-f]{12}$/);
  assert.ok(db.url.startsWith('postgres://') && db.url.endsWith(`/${db.name}`));
  assert.ok(['baseUrl', 'TEST_DATABASE_URL', 'local'].includes(db.source));

  const client = await connectTo(db.url);
  const result = await client.query<{ one: number }>('select 1 as one');
  assert.equal(result.rows[0]?.one, 1);
  const current = await client.query<{ db: string }>('select current_database() as db');
  assert.equal(current.rows[0]?.db, db.name);

  await db.drop();
  await db.drop();
  await assert.rejects(
    connectTo(db.url),
    (err: unknown) => (err as { code?: string }).code === '3D000',
  );
  await client.end().catch(() => undefined);
});

test('a configured server that does not answer is a clear error', async () => {
  const port = await freePort();
  await assert.rejects(
    createTestDatabase({ baseUrl: `postgres://postgres@127.0.0.1:${port}/postgres` }),
    /Postgres from baseUrl .* does not answer/,
  );
});
