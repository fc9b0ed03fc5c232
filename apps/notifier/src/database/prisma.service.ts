import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { NotifierConfig } from '../config/notifier.config.js';

/** The notifier's Prisma client: connected at start (failing loudly), closed at shutdown. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(config: ConfigService<NotifierConfig, true>) {
    super({
      adapter: new PrismaPg({
        connectionString: config.get('databaseUrl', { infer: true }),
        max: 10,
        application_name: 'tally-notifier',
      }),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
    await this.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
