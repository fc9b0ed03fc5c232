export { applyMigrations, PRISMA_ADVISORY_LOCK_KEY } from './apply.js';
export { migrationChecksum } from './checksum.js';
export { parseDatabaseUrl, type DatabaseTarget } from './connection.js';
export { MigrationFailedError, UnfinishedMigrationError } from './errors.js';
export { readMigrations } from './migrations-dir.js';
export type {
  ApplyMigrationsOptions,
  ApplyMigrationsResult,
  LocalMigration,
  MigrationLogger,
} from './types.js';
