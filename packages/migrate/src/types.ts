export interface MigrationLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface ApplyMigrationsOptions {
  /** postgres:// or postgresql:// URL; an optional `?schema=` sets the search_path. */
  databaseUrl: string;
  /** The Prisma migrations folder: `<prismaDir>/migrations`. */
  migrationsDir: string;
  logger?: MigrationLogger;
}

export interface ApplyMigrationsResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations found already applied. */
  skipped: string[];
}

export interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
}
