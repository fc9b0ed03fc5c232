import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from './connection.js';

export const USAGE = `Usage: tally-migrate --dir <migrationsDir>

Applies pending Prisma-layout migrations (<migrationsDir>/<timestamp>_<name>/migration.sql)
to the database in DATABASE_URL, keeping Prisma's _prisma_migrations bookkeeping.
An optional ?schema=<name> in DATABASE_URL selects the schema.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliCommand = { kind: 'help' } | { kind: 'apply'; migrationsDir: string };

export function parseCliArgs(argv: string[]): CliCommand {
  let values: { dir?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { kind: 'help' };
  if (!values.dir) throw new UsageError('missing required option --dir <migrationsDir>');
  return { kind: 'apply', migrationsDir: resolve(values.dir) };
}

/** Returns DATABASE_URL after checking it is a usable Postgres URL. */
export function readDatabaseUrl(env: Readonly<Record<string, string | undefined>>): string {
  const url = env['DATABASE_URL'];
  if (!url) throw new UsageError('environment variable DATABASE_URL is not set');
  try {
    parseDatabaseUrl(url);
  } catch (err) {
    throw new UsageError(`environment variable DATABASE_URL is invalid: ${(err as Error).message}`);
  }
  return url;
}
