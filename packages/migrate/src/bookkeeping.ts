import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { LocalMigration } from './types.js';

export interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Prisma's `_prisma_migrations` table, column for column, so `prisma migrate` can take over. */
export class MigrationTable {
  private readonly table: string;

  constructor(
    private readonly client: pg.Client,
    schema: string,
  ) {
    // Qualified, so a migration that changes search_path cannot move the bookkeeping.
    this.table = `${pg.escapeIdentifier(schema)}."_prisma_migrations"`;
  }

  async ensureExists(): Promise<void> {
    await this.client.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id                  VARCHAR(36) PRIMARY KEY NOT NULL,
        checksum            VARCHAR(64) NOT NULL,
        finished_at         TIMESTAMPTZ,
        migration_name      VARCHAR(255) NOT NULL,
        logs                TEXT,
        rolled_back_at      TIMESTAMPTZ,
        started_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
        applied_steps_count INTEGER NOT NULL DEFAULT 0
      )`);
  }

  async rows(): Promise<MigrationRow[]> {
    const result = await this.client.query<MigrationRow>(
      `SELECT id, checksum, migration_name, finished_at, rolled_back_at
         FROM ${this.table} ORDER BY started_at`,
    );
    return result.rows;
  }

  async recordStart(migration: LocalMigration): Promise<string> {
    const id = randomUUID();
    await this.client.query(
      `INSERT INTO ${this.table} (id, checksum, migration_name, started_at)
       VALUES ($1, $2, $3, now())`,
      [id, migration.checksum, migration.name],
    );
    return id;
  }

  async recordFinish(id: string): Promise<void> {
    await this.client.query(
      `UPDATE ${this.table} SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
  }

  async recordFailure(id: string, logs: string): Promise<void> {
    await this.client.query(`UPDATE ${this.table} SET logs = $2 WHERE id = $1`, [id, logs]);
  }
}
