import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsController } from '../metrics/metrics.controller.js';
import { HealthController } from './health.controller.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

/** `/healthz`, `/readyz` and `/metrics`, which every Tally app serves. */
@Module({})
export class HealthModule {
  static register(readiness: Type<ReadinessCheck>[]): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        ...readiness,
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: readiness,
        },
      ],
    };
  }
}
