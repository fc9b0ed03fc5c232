import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { databasePool } from '@tally/platform';
import type pg from 'pg';
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
    const pool = databasePool(config.get('databaseUrl', { infer: true }), 'tally-aggregator');
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
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
