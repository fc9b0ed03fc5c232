import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { pooledPrismaClient } from '@tally/platform';
import { PrismaClient } from '../generated/prisma/client.js';
import type { NotifierConfig } from '../config/notifier.config.js';

/**
 * The notifier's Prisma client: connected at start (failing loudly), closed at shutdown. Its
 * `pg` pool is shared with the two statements run for every rollup delta batch (watermarks,
 * rules due), where Prisma's per-query work was most of the notifier's CPU at peak.
 */
@Injectable()
export class PrismaService extends pooledPrismaClient(PrismaClient) {
  constructor(config: ConfigService<NotifierConfig, true>) {
    super(config.get('databaseUrl', { infer: true }), 'tally-notifier');
  }
}
