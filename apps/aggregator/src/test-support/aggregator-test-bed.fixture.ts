import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { applyMigrations } from '@tally/migrate';
import { NatsConnection } from '@tally/nats';
import {
  appMigrations,
  createTestDatabase,
  startNatsServer,
  type NatsServerHandle,
  type TestDatabaseHandle,
} from '@tally/testkit';
import { appModule } from '../app.module.js';

/** A fresh database with the aggregator's migrations applied. */
export async function migratedDatabase(): Promise<TestDatabaseHandle> {
  const db = await createTestDatabase();
  try {
    await applyMigrations({ databaseUrl: db.url, migrationsDir: appMigrations('aggregator') });
    return db;
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/**
 * What the aggregator's specs on real NATS and Postgres run on: a migrated database, a private
 * nats-server and the test's own connection to it.
 */
export class AggregatorTestBed {
  private constructor(
    readonly db: TestDatabaseHandle,
    readonly nats: NatsServerHandle,
    readonly connection: NatsConnection,
  ) {}

  static async start(): Promise<AggregatorTestBed> {
    const db = await migratedDatabase();
    const nats = await startNatsServer().catch(async (error: unknown) => {
      await db.drop();
      throw error;
    });
    const connection = await NatsConnection.open({ servers: [nats.url], name: 'test' }).catch(
      async (error: unknown) => {
        await Promise.allSettled([nats.stop(), db.drop()]);
        throw error;
      },
    );
    return new AggregatorTestBed(db, nats, connection);
  }

  /** The whole aggregator in this process, on one partition, lingering 20 ms per batch. */
  async startAggregator(): Promise<INestApplicationContext> {
    const { module } = appModule({
      NATS_URL: this.nats.url,
      DATABASE_URL: this.db.url,
      TALLY_PARTITIONS: '1',
      LOG_LEVEL: 'silent',
      CONSUMER_LINGER_MS: '20',
    });
    const app = await NestFactory.createApplicationContext(module, { logger: false });
    await app.init();
    return app;
  }

  /** Closes the test's connection, stops nats and drops the database. */
  async stop(): Promise<void> {
    await this.connection.onApplicationShutdown();
    await this.nats.stop();
    await this.db.drop();
  }
}
