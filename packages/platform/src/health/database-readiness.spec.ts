import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { databaseReadiness, type HasDatabasePool } from './database-readiness.js';

class DatabaseOwner implements HasDatabasePool {
  readonly pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
}

const DatabaseReadiness = databaseReadiness(DatabaseOwner);

describe('databaseReadiness', () => {
  it('is ready when SELECT 1 answers on the pool of its owner', async (t) => {
    const owner = new DatabaseOwner();
    const query = t.mock.method(owner.pool, 'query', () => Promise.resolve({ rows: [] }));
    const check = new DatabaseReadiness(owner);
    assert.equal(check.name, 'postgres');
    assert.equal(await check.isReady(), true);
    assert.deepEqual(query.mock.calls[0]?.arguments, ['SELECT 1']);
    await owner.pool.end();
  });

  it('fails when the database does not answer', async () => {
    const owner = new DatabaseOwner();
    await assert.rejects(new DatabaseReadiness(owner).isReady());
    await owner.pool.end();
  });
});
