import { Logger } from '@nestjs/common';
import pg from 'pg';
import { Counter } from 'prom-client';

const connectionsLost = new Counter({
  name: 'tally_database_connections_lost_total',
  help: 'Postgres connections of the app pool that failed (server restarted, connection terminated)',
  labelNames: ['application'] as const,
});

/**
 * An app's one Postgres pool: its Prisma client runs on it (through `@prisma/adapter-pg`) and
 * its hot statements use it directly, without Prisma's per-query work. A lost connection is
 * logged and counted, never fatal: the pool drops it and opens a new one for the next query.
 */
export function databasePool(connectionString: string, applicationName: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, application_name: applicationName });
  const logger = new Logger('DatabasePool');
  // NOTE: pg emits 'error' on a client whose connection fails, often twice (the server's error,
  // then the unexpected end), and the pool listens only while the client is idle: a client
  // checked out (a transaction between statements, a query in flight) would take the process
  // down with it (issue 12, #15). So every client gets a listener for its whole life.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      connectionsLost.inc({ application: applicationName });
      logger.warn({ err, application: applicationName }, 'database connection lost');
    });
  });
  // The client's own listener above has logged it; without a pool listener, pg would throw.
  pool.on('error', () => undefined);
  return pool;
}
