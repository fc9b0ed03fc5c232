import { Logger } from '@nestjs/common';
import pg from 'pg';

/**
 * An app's one Postgres pool: its Prisma client runs on it (through `@prisma/adapter-pg`) and
 * its hot statements use it directly, without Prisma's per-query work.
 */
export function databasePool(connectionString: string, applicationName: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, application_name: applicationName });
  // NOTE: an idle client that loses its connection emits on the pool; unhandled, that exits.
  const logger = new Logger('DatabasePool');
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
  return pool;
}
