import pg from 'pg';
import { createTestDatabase, type TestDatabaseHandle } from './test-database.js';

/**
 * A throwaway database and a client of the test's own on it, to look at the backends the code
 * under test holds (pg_stat_activity) and end them as a failing server would.
 */
export interface WatchedTestDatabase {
  readonly db: TestDatabaseHandle;
  /** The test's own connection: not counted among, nor ended with, the code's connections. */
  readonly admin: pg.Client;
  /** Ends one backend, as a server restart or an administrator does. */
  terminateBackend(pid: number): Promise<void>;
  /** Ends the admin client, then drops the database. */
  close(): Promise<void>;
}

export async function createWatchedTestDatabase(): Promise<WatchedTestDatabase> {
  const db = await createTestDatabase();
  const admin = new pg.Client({ connectionString: db.url });
  try {
    await admin.connect();
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    db,
    admin,
    async terminateBackend(pid) {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    },
    async close() {
      await admin.end();
      await db.drop();
    },
  };
}
