import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { STREAMS } from '@tally/contracts';
import { NatsModule } from '@tally/nats';
import { databaseReadiness, HealthModule, loggingModule, NatsReadiness } from '@tally/platform';
import { aggregatorConfig, type AggregatorConfig } from './config/aggregator.config.js';
import { DatabaseModule } from './database/database.module.js';
import { PrismaService } from './database/prisma.service.js';
import { MetricsQueryModule } from './metrics-query/metrics-query.module.js';
import { PartitionLeasesReadiness } from './partitions/partition-leases.readiness.js';
import { PartitionsModule } from './partitions/partitions.module.js';
import { RollupsModule } from './rollups/rollups.module.js';

export function appModule(env: Record<string, string | undefined>) {
  const config = aggregatorConfig(env);

  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      loggingModule({ service: 'aggregator', level: config.logLevel }),
      NatsModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (c: ConfigService<AggregatorConfig, true>) => ({
          servers: c.get('nats.servers', { infer: true }),
          name: 'tally-aggregator',
          partitions: c.get('partitions', { infer: true }),
          consumers: c.get('consumer', { infer: true }),
          streams: [
            {
              ...STREAMS.rollups,
              maxAgeMs: c.get('rollupStreamMaxAgeMs', { infer: true }),
              replicas: c.get('nats.replicas', { infer: true }),
            },
            { ...STREAMS.dead, replicas: c.get('nats.replicas', { infer: true }) },
          ],
        }),
      }),
      DatabaseModule,
      RollupsModule,
      PartitionsModule,
      MetricsQueryModule,
      HealthModule.register(
        [NatsReadiness, databaseReadiness(PrismaService), PartitionLeasesReadiness],
        [DatabaseModule],
      ),
    ],
  })
  class AggregatorModule {}

  return { module: AggregatorModule, config };
}
