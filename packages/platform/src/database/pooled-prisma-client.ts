import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { databasePool } from './database-pool.js';

/** The part of an app's generated Prisma client that opening and closing it needs. */
export interface PrismaLifecycle {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<unknown>;
}

/** A generated `PrismaClient` class (each app generates its own from its own schema). */
export type PrismaClientClass<Client extends PrismaLifecycle> = new (options: {
  adapter: PrismaPg;
}) => Client;

/** What `pooledPrismaClient` adds to the generated client. */
export interface PooledPrisma extends OnModuleInit, OnModuleDestroy {
  /** The pool under the client, for hot statements that skip Prisma's per-query work. */
  readonly pool: pg.Pool;
  onModuleInit(): Promise<void>;
  onModuleDestroy(): Promise<void>;
}

export type PooledPrismaClientClass<Client extends PrismaLifecycle> = new (
  connectionString: string,
  applicationName: string,
) => Client & PooledPrisma;

/**
 * Gives an app's generated `PrismaClient` class its `databasePool()` (through
 * `@prisma/adapter-pg`), a connection checked at start that fails loudly, and a shutdown that
 * closes the client and the pool, once however often it is asked. The app's Nest service
 * extends the result.
 */
export function pooledPrismaClient<Client extends PrismaLifecycle>(
  PrismaClient: PrismaClientClass<Client>,
): PooledPrismaClientClass<Client> {
  // NOTE: a class cannot extend a constructor whose instance type is a type parameter, so the
  // base is widened here and the result narrowed back to the app's own client type below
  // (through `unknown`: the class's private state makes the two types incomparable).
  const Base: PrismaClientClass<PrismaLifecycle> = PrismaClient;

  class PooledPrismaClient extends Base implements PooledPrisma {
    readonly pool: pg.Pool;
    private closed = false;

    constructor(connectionString: string, applicationName: string) {
      const pool = databasePool(connectionString, applicationName);
      super({ adapter: new PrismaPg(pool) });
      this.pool = pool;
    }

    async onModuleInit(): Promise<void> {
      await this.$connect();
      await this.$queryRaw`SELECT 1`;
    }

    async onModuleDestroy(): Promise<void> {
      // NOTE: pg throws on a second pool.end(), and a client that failed to disconnect must not
      // keep the pool open: every closer runs once, each whatever the other did.
      if (this.closed) return;
      this.closed = true;
      const results = await Promise.allSettled([this.$disconnect(), this.pool.end()]);
      const failures = results.flatMap((r): unknown[] =>
        r.status === 'rejected' ? [r.reason] : [],
      );
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, 'database shutdown failed');
    }
  }

  return PooledPrismaClient as unknown as PooledPrismaClientClass<Client>;
}
