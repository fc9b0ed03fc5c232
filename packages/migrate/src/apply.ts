import type pg from 'pg';
import { type MigrationRow, MigrationTable } from './bookkeeping.js';
import { openSession } from './connection.js';
import { MigrationFailedError, UnfinishedMigrationError } from './errors.js';
import { readMigrations } from './migrations-dir.js';
import type {
  ApplyMigrationsOptions,
  ApplyMigrationsResult,
  LocalMigration,
  MigrationLogger,
} from './types.js';

/** The key `prisma migrate deploy` locks, so this and Prisma never run side by side. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const defaultLogger: MigrationLogger = {
  info: () => undefined,
  warn: (message) => console.warn(message),
};

/**
 * Applies pending migrations the way `prisma migrate deploy` does. Logs
 * `Applied <name>` through `logger.info` as each one finishes.
 */
export async function applyMigrations(
  options: ApplyMigrationsOptions,
): Promise<ApplyMigrationsResult> {
  const logger = options.logger ?? defaultLogger;
  const migrations = await readMigrations(options.migrationsDir);
  const { client, schema } = await openSession(options.databaseUrl);
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
    return await applyLocked(client, new MigrationTable(client, schema), migrations, logger);
  } finally {
    // Closing the session also releases the advisory lock.
    await client.end();
  }
}

async function applyLocked(
  client: pg.Client,
  table: MigrationTable,
  migrations: LocalMigration[],
  logger: MigrationLogger,
): Promise<ApplyMigrationsResult> {
  await table.ensureExists();
  const done = finishedRowsByName(await table.rows());
  const result: ApplyMigrationsResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const row = done.get(migration.name);
    if (row) {
      warnIfModified(row, migration, logger);
      result.skipped.push(migration.name);
      continue;
    }
    await applyOne(client, table, migration);
    result.applied.push(migration.name);
    logger.info(`Applied ${migration.name}`);
  }
  return result;
}

function finishedRowsByName(rows: MigrationRow[]): Map<string, MigrationRow> {
  const unfinished = rows.find((row) => !row.finished_at && !row.rolled_back_at);
  if (unfinished) throw new UnfinishedMigrationError(unfinished.migration_name);
  const finished = rows.filter((row) => row.finished_at && !row.rolled_back_at);
  return new Map(finished.map((row) => [row.migration_name, row]));
}

function warnIfModified(row: MigrationRow, migration: LocalMigration, logger: MigrationLogger) {
  if (row.checksum === migration.checksum) return;
  logger.warn(
    `Warning: migration "${migration.name}" was modified after it was applied ` +
      `(recorded checksum ${row.checksum}, file checksum ${migration.checksum}).`,
  );
}

async function applyOne(
  client: pg.Client,
  table: MigrationTable,
  migration: LocalMigration,
): Promise<void> {
  const id = await table.recordStart(migration);
  try {
    // No parameters: pg then uses the simple protocol, which runs a multi-statement script.
    await client.query(migration.script);
  } catch (err) {
    const logs = databaseErrorLogs(err);
    const recordError = await recordFailure(client, table, id, logs);
    throw new MigrationFailedError(migration.name, logs + recordError);
  }
  await table.recordFinish(id);
}

async function recordFailure(
  client: pg.Client,
  table: MigrationTable,
  id: string,
  logs: string,
): Promise<string> {
  try {
    // A script with its own BEGIN leaves the session in an aborted transaction.
    await client.query('ROLLBACK');
    await table.recordFailure(id, logs);
    return '';
  } catch (err) {
    return `\n(could not store these logs in _prisma_migrations: ${messageOf(err)})`;
  }
}

function databaseErrorLogs(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & Partial<Record<'code' | 'detail' | 'hint' | 'position', string>>;
  const lines = [`Database error code: ${e.code ?? 'unknown'}`, '', 'Database error:'];
  lines.push(`ERROR: ${e.message}`);
  if (e.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e.hint) lines.push(`HINT: ${e.hint}`);
  if (e.position) lines.push(`POSITION: character ${e.position} of migration.sql`);
  return lines.join('\n');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
