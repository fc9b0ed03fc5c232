import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { STREAMS } from '@tally/contracts';
import { NatsModule } from '@tally/nats';
import { databaseReadiness, HealthModule, loggingModule, NatsReadiness } from '@tally/platform';
import { notifierConfig, type NotifierConfig } from './config/notifier.config.js';
import { DatabaseModule } from './database/database.module.js';
import { PrismaService } from './database/prisma.service.js';
import { RollupWatchModule } from './rollup-watch/rollup-watch.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { DeliveriesModule } from './deliveries/deliveries.module.js';
import { EvaluationModule } from './evaluation/evaluation.module.js';

export function appModule(env: Record<string, string | undefined>) {
  const config = notifierConfig(env);

  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      loggingModule({ service: 'notifier', level: config.logLevel }),
      NatsModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (c: ConfigService<NotifierConfig, true>) => ({
          servers: c.get('nats.servers', { infer: true }),
          name: 'tally-notifier',
          consumers: c.get('consumer', { infer: true }),
          // NOTE: not STREAMS.rollups: the aggregator owns that stream (and its retention);
          // the notifier's consumer waits for it to exist.
          streams: [{ ...STREAMS.dead, replicas: c.get('nats.replicas', { infer: true }) }],
        }),
      }),
      DatabaseModule,
      RollupWatchModule,
      AlertsModule,
      EvaluationModule,
      DeliveriesModule,
      HealthModule.register([NatsReadiness, databaseReadiness(PrismaService)], [DatabaseModule]),
    ],
  })
  class NotifierModule {}

  return { module: NotifierModule, config };
}
