import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyMigrations, PRISMA_ADVISORY_LOCK_KEY } from './apply.js';
import { MigrationFailedError, UnfinishedMigrationError } from './errors.js';
import type { MigrationLogger } from './types.js';
import {
  ADD_EVENT,
  bookkeepingRows,
  freshDatabase,
  INIT,
  migrationsFolder,
  tableExists,
  TWO_MIGRATIONS,
  withClient,
  writeMigrations,
} from './test-support.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BROKEN = '20240303000000_broken';

function recordingLogger(): MigrationLogger & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warn: (m) => warnings.push(m) };
}

async function sha256OfFile(dir: string, name: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(join(dir, name, 'migration.sql')))
    .digest('hex');
}

describe('applyMigrations (real Postgres)', () => {
  it('applies both migrations in folder order and creates their tables', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, TWO_MIGRATIONS);
    const logger = recordingLogger();

    const result = await applyMigrations({ databaseUrl, migrationsDir, logger });

    assert.deepEqual(result, { applied: [INIT, ADD_EVENT], skipped: [] });
    assert.deepEqual(logger.infos, [`Applied ${INIT}`, `Applied ${ADD_EVENT}`]);
    assert.equal(await tableExists(databaseUrl, 'public."Account"'), true);
    assert.equal(await tableExists(databaseUrl, 'public."Event"'), true);
  });

  it('keeps Prisma bookkeeping: sha256 checksum, uuid v4 id, finished_at, one step', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, TWO_MIGRATIONS);
    await applyMigrations({ databaseUrl, migrationsDir });

    const rows = await bookkeepingRows(databaseUrl);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      [INIT, ADD_EVENT],
    );
    for (const row of rows) {
      assert.equal(row.checksum, await sha256OfFile(migrationsDir, row.migration_name));
      assert.match(row.id, UUID_V4);
      assert.ok(row.finished_at instanceof Date, `${row.migration_name} finished_at`);
      assert.equal(row.rolled_back_at, null);
      assert.equal(row.logs, null);
      assert.equal(row.applied_steps_count, 1);
    }
  });

  it('applies nothing on a second run', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, TWO_MIGRATIONS);
    await applyMigrations({ databaseUrl, migrationsDir });
    const before = await bookkeepingRows(databaseUrl);

    const second = await applyMigrations({ databaseUrl, migrationsDir });

    assert.deepEqual(second, { applied: [], skipped: [INIT, ADD_EVENT] });
    assert.deepEqual(await bookkeepingRows(databaseUrl), before);
  });

  it('applies only the new migration when one is added later', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, { [INIT]: TWO_MIGRATIONS[INIT]! });
    await applyMigrations({ databaseUrl, migrationsDir });
    await writeMigrations(migrationsDir, { [ADD_EVENT]: TWO_MIGRATIONS[ADD_EVENT]! });

    const result = await applyMigrations({ databaseUrl, migrationsDir });

    assert.deepEqual(result, { applied: [ADD_EVENT], skipped: [INIT] });
  });

  it('warns but continues when an applied migration was modified', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, { [INIT]: TWO_MIGRATIONS[INIT]! });
    await applyMigrations({ databaseUrl, migrationsDir });
    await writeFile(join(migrationsDir, INIT, 'migration.sql'), '-- edited\n');
    await writeMigrations(migrationsDir, { [ADD_EVENT]: TWO_MIGRATIONS[ADD_EVENT]! });
    const logger = recordingLogger();

    const result = await applyMigrations({ databaseUrl, migrationsDir, logger });

    assert.deepEqual(result, { applied: [ADD_EVENT], skipped: [INIT] });
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, new RegExp(`${INIT}.*modified`));
  });

  it('records a failed migration and refuses later runs, naming it', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, {
      [INIT]: TWO_MIGRATIONS[INIT]!,
      [BROKEN]: 'CREATE TABLE "Partial" ("id" INT);\nSELECT * FROM "no_such_table";\n',
    });

    const failure = applyMigrations({ databaseUrl, migrationsDir });
    await assert.rejects(failure, (err: Error) => {
      assert.ok(err instanceof MigrationFailedError);
      assert.equal(err.migrationName, BROKEN);
      assert.match(err.message, new RegExp(`"${BROKEN}" failed.*no_such_table`, 's'));
      return true;
    });

    const rows = await bookkeepingRows(databaseUrl);
    assert.deepEqual(
      rows.map((r) => [r.migration_name, r.finished_at !== null]),
      [
        [INIT, true],
        [BROKEN, false],
      ],
    );
    const broken = rows[1]!;
    assert.equal(broken.rolled_back_at, null);
    assert.equal(broken.applied_steps_count, 0);
    assert.match(broken.logs ?? '', /42P01[\s\S]*no_such_table/);
    // Postgres runs a multi-statement simple query as one implicit transaction.
    assert.equal(await tableExists(databaseUrl, 'public."Partial"'), false);

    await writeMigrations(migrationsDir, { '20240404000000_later': 'CREATE TABLE "Later" ();' });
    await assert.rejects(applyMigrations({ databaseUrl, migrationsDir }), (err: Error) => {
      assert.ok(err instanceof UnfinishedMigrationError);
      assert.match(err.message, new RegExp(BROKEN));
      return true;
    });
    assert.equal(await tableExists(databaseUrl, 'public."Later"'), false);
  });

  it('retries a failed migration once it is marked rolled back (migrate resolve)', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, { [BROKEN]: 'SELECT 1/0;' });
    await assert.rejects(applyMigrations({ databaseUrl, migrationsDir }), MigrationFailedError);
    await withClient(databaseUrl, (c) =>
      c.query('UPDATE _prisma_migrations SET rolled_back_at = now()'),
    );
    await writeMigrations(migrationsDir, { [BROKEN]: 'CREATE TABLE "Fixed" ();' });

    const result = await applyMigrations({ databaseUrl, migrationsDir });

    assert.deepEqual(result, { applied: [BROKEN], skipped: [] });
    const rows = await bookkeepingRows(databaseUrl);
    assert.deepEqual(
      rows.map((r) => [r.rolled_back_at !== null, r.finished_at !== null]),
      [
        [true, false],
        [false, true],
      ],
    );
  });

  it('stores logs when a script with its own transaction fails', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, {
      [BROKEN]: 'BEGIN;\nCREATE TABLE "Tx" ();\nSELECT 1/0;\nCOMMIT;\n',
    });

    await assert.rejects(applyMigrations({ databaseUrl, migrationsDir }), /division by zero/);

    const [row] = await bookkeepingRows(databaseUrl);
    assert.equal(row?.finished_at, null);
    assert.match(row?.logs ?? '', /22012[\s\S]*division by zero/);
    assert.equal(await tableExists(databaseUrl, 'public."Tx"'), false);
  });

  it('uses the schema named by ?schema= for tables and bookkeeping', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, TWO_MIGRATIONS);

    const result = await applyMigrations({
      databaseUrl: `${databaseUrl}?schema=tenant_a`,
      migrationsDir,
    });

    assert.deepEqual(result.applied, [INIT, ADD_EVENT]);
    assert.equal(await tableExists(databaseUrl, 'tenant_a."Event"'), true);
    assert.equal((await bookkeepingRows(databaseUrl, 'tenant_a')).length, 2);
    assert.equal(await tableExists(databaseUrl, 'public._prisma_migrations'), false);
  });

  it('serialises concurrent runs with the advisory lock: each migration applied once', async (t) => {
    const databaseUrl = await freshDatabase(t);
    const migrationsDir = await migrationsFolder(t, TWO_MIGRATIONS);
    const databaseName = new URL(databaseUrl).pathname.slice(1);

    // Hold Prisma's lock so both runs are provably queued on it before either starts work.
    const results = await withClient(databaseUrl, async (holder) => {
      await holder.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
      const both = Promise.all([
        applyMigrations({ databaseUrl, migrationsDir }),
        applyMigrations({ databaseUrl, migrationsDir }),
      ]);
      both.catch(() => undefined); // awaited below; avoids an unhandled rejection meanwhile
      await waitForLockWaiters(holder, databaseName, 2);
      await holder.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
      return both;
    });

    const appliedCounts = results.map((r) => r.applied.length).sort();
    assert.deepEqual(appliedCounts, [0, 2]);
    assert.deepEqual(results.flatMap((r) => r.applied).sort(), [INIT, ADD_EVENT]);
    const rows = await bookkeepingRows(databaseUrl);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      [INIT, ADD_EVENT],
    );
  });
});

/** Polls pg_locks (one round trip per check, no timers) until `count` sessions wait on the lock. */
async function waitForLockWaiters(
  client: import('pg').Client,
  databaseName: string,
  count: number,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting
         FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND NOT l.granted
          AND l.classid = 0 AND l.objid = $1 AND d.datname = $2`,
      [PRISMA_ADVISORY_LOCK_KEY, databaseName],
    );
    if (result.rows[0]?.waiting === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} sessions waiting on the lock`);
  }
}
