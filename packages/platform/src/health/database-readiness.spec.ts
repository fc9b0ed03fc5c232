import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabaseHandle } from '@tally/testkit';
import type pg from 'pg';
import { databasePool } from '../database/database-pool.js';
import { databaseReadiness, type HasDatabasePool } from './database-readiness.js';

class DatabaseOwner implements HasDatabasePool {
  readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = databasePool(url, 'tally-readiness-test');
  }
}

const DatabaseReadiness = databaseReadiness(DatabaseOwner);

describe('databaseReadiness on Postgres', () => {
  let db: TestDatabaseHandle;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('is ready when SELECT 1 answers on the pool of its owner', async () => {
    const owner = new DatabaseOwner(db.url);
    try {
      const check = new DatabaseReadiness(owner);
      assert.equal(check.name, 'postgres');
      assert.equal(await check.isReady(), true);
    } finally {
      await owner.pool.end();
    }
  });

  it('fails when the database does not answer', async () => {
    const owner = new DatabaseOwner('postgres://postgres@127.0.0.1:1/none');
    try {
      await assert.rejects(new DatabaseReadiness(owner).isReady(), /ECONNREFUSED/);
    } finally {
      await owner.pool.end();
    }
  });
});
