import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NatsModule } from '@tally/nats';
import { HealthModule, loggingModule, NatsReadiness } from '@tally/platform';
import { ApiModule } from './api.module.js';
import { gatewayConfig, type GatewayConfig } from './config/gateway.config.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { ApiErrorFilter } from './http/api-error.filter.js';

export function appModule(env: Record<string, string | undefined>) {
  const config = gatewayConfig(env);

  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
      loggingModule({ service: 'gateway', level: config.logLevel }),
      NatsModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (c: ConfigService<GatewayConfig, true>) => ({
          servers: c.get('nats.servers', { infer: true }),
          name: 'tally-gateway',
        }),
      }),
      ApiModule,
      DashboardModule,
      HealthModule.register([NatsReadiness]),
    ],
    providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
  })
  class GatewayModule {}

  return { module: GatewayModule, config };
}
