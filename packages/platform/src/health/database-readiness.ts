import { Inject, Injectable, type Type } from '@nestjs/common';
import type pg from 'pg';
import type { ReadinessCheck } from './readiness-check.js';

/** A provider that owns the app's Postgres pool (its `pooledPrismaClient` service). */
export interface HasDatabasePool {
  readonly pool: pg.Pool;
}

/** A readiness check named `postgres` that runs `SELECT 1` on the pool of `owner`. */
export function databaseReadiness(owner: Type<HasDatabasePool>): Type<ReadinessCheck> {
  @Injectable()
  class DatabaseReadiness implements ReadinessCheck {
    readonly name = 'postgres';

    constructor(@Inject(owner) private readonly database: HasDatabasePool) {}

    async isReady(): Promise<boolean> {
      await this.database.pool.query('SELECT 1');
      return true;
    }
  }
  return DatabaseReadiness;
}
