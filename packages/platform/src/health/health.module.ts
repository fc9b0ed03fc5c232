import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsController } from '../metrics/metrics.controller.js';
import { HealthController } from './health.controller.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

/** `/healthz`, `/readyz` and `/metrics`, which every Tally app serves. */
@Module({})
export class HealthModule {
  /** `imports` are the modules that export the readiness checks' own dependencies. */
  static register(
    readiness: Type<ReadinessCheck>[],
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...imports],
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
