import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { AggregatorConfig } from '../config/aggregator.config.js';

/**
 * The aggregator's Prisma client: connected at start (failing loudly), closed at shutdown. Its
 * `pg` pool is shared with the repositories for the two hot paths (applying batches, the series
 * query), where Prisma's per-query work cost a fifth of the aggregator's CPU at peak.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  readonly pool: pg.Pool;

  constructor(config: ConfigService<AggregatorConfig, true>) {
    const pool = new pg.Pool({
      connectionString: config.get('databaseUrl', { infer: true }),
      max: 10,
      application_name: 'tally-aggregator',
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
    // NOTE: an idle client that loses its connection emits on the pool; unhandled, that exits.
    const logger = new Logger(PrismaService.name);
    pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
    await this.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
