import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { STREAMS } from '@tally/contracts';
import { NatsModule } from '@tally/nats';
import { HealthModule, loggingModule, NatsReadiness } from '@tally/platform';
import { ingestConfig, type IngestConfig } from './config/ingest.config.js';
import { IngestionModule } from './ingestion/ingestion.module.js';

export function appModule(env: Record<string, string | undefined>) {
  const config = ingestConfig(env);

  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      loggingModule({ service: 'ingest', level: config.logLevel }),
      NatsModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (c: ConfigService<IngestConfig, true>) => {
          const replicas = c.get('nats.replicas', { infer: true });
          const streams = c.get('streams', { infer: true });
          return {
            servers: c.get('nats.servers', { infer: true }),
            name: 'tally-ingest',
            streams: [
              {
                ...STREAMS.events,
                replicas,
                maxAgeMs: streams.eventsMaxAgeMs,
                duplicateWindowMs: streams.eventsDuplicateWindowMs,
              },
              { ...STREAMS.rejected, replicas, maxAgeMs: streams.rejectedMaxAgeMs },
            ],
          };
        },
      }),
      IngestionModule,
      HealthModule.register([NatsReadiness]),
    ],
  })
  class IngestModule {}

  return { module: IngestModule, config };
}
