import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { databasePool } from '@tally/platform';
import type pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { NotifierConfig } from '../config/notifier.config.js';

/**
 * The notifier's Prisma client: connected at start (failing loudly), closed at shutdown. Its
 * `pg` pool is shared with the two statements run for every rollup delta batch (watermarks,
 * rules due), where Prisma's per-query work was most of the notifier's CPU at peak.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  readonly pool: pg.Pool;

  constructor(config: ConfigService<NotifierConfig, true>) {
    const pool = databasePool(config.get('databaseUrl', { infer: true }), 'tally-notifier');
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
