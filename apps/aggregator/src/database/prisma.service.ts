import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { pooledPrismaClient } from '@tally/platform';
import { PrismaClient } from '../generated/prisma/client.js';
import type { AggregatorConfig } from '../config/aggregator.config.js';

/**
 * The aggregator's Prisma client: connected at start (failing loudly), closed at shutdown. Its
 * `pg` pool is shared with the repositories for the two hot paths (applying batches, the series
 * query), where Prisma's per-query work cost a fifth of the aggregator's CPU at peak.
 */
@Injectable()
export class PrismaService extends pooledPrismaClient(PrismaClient) {
  constructor(config: ConfigService<AggregatorConfig, true>) {
    super(config.get('databaseUrl', { infer: true }), 'tally-aggregator');
  }
}
