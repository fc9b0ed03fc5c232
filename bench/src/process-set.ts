import type pg from 'pg';

/**
 * Postgres server processes that work for a database: its client backends plus the shared
 * background processes (WAL writer, checkpointer, background writer, autovacuum).
 */
export async function postgresPids(client: pg.Client, database: string): Promise<number[]> {
  const result = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE (datname = $1 AND pid <> pg_backend_pid()) OR backend_type <> 'client backend'`,
    [database],
  );
  return result.rows.map((r) => r.pid);
}
