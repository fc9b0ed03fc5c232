import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { applyMigrations } from '@tally/migrate';
import { createTestDatabase, type TestDatabaseHandle } from '@tally/testkit';
import pg from 'pg';

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const TOTALS_MIGRATION = '20261126000000_rollup_totals';

describe('the rollup_totals migration on a database that already has rollups', () => {
  let db: TestDatabaseHandle;
  let client: pg.Client;
  let earlier: string;

  before(async () => {
    db = await createTestDatabase();
    earlier = await mkdtemp(join(tmpdir(), 'tally-migrations-'));
    for (const name of await readdir(MIGRATIONS)) {
      if (name < TOTALS_MIGRATION) {
        await cp(join(MIGRATIONS, name), join(earlier, name), { recursive: true });
      }
    }
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  after(async () => {
    await client.end();
    await db.drop();
    await rm(earlier, { recursive: true, force: true });
  });

  it('sums the existing rows over their dimensions, merging users', async () => {
    await applyMigrations({ databaseUrl: db.url, migrationsDir: earlier });
    await client.query(`
      INSERT INTO rollups (project_id, event_type, dimension, currency, granularity, bucket, count, revenue, users)
      SELECT 'p', 'purchase', d, 'EUR', 'hour', '2026-11-24T12:00:00Z', 2, 1.5,
             (SELECT hll_add_agg(hll_hash_text(u)) FROM unnest(users) AS u)
      FROM (VALUES ('a', ARRAY['u1', 'u2']), ('b', ARRAY['u2', 'u3'])) AS rows(d, users)`);

    await applyMigrations({ databaseUrl: db.url, migrationsDir: MIGRATIONS });

    const { rows } = await client.query<{
      count: string;
      revenue: string;
      users: number;
      estimate: number;
    }>(`
      SELECT count, revenue::text, hll_cardinality(users)::int AS users,
             round(users_estimate)::int AS estimate
      FROM rollup_totals`);
    assert.deepEqual(rows, [{ count: '4', revenue: '3.000000', users: 3, estimate: 3 }]);
  });
});
