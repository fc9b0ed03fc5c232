import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

/** `/healthz`: the process is alive. `/readyz`: every dependency it needs answers. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('healthz')
  @HealthCheck()
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('readyz')
  @HealthCheck()
  readiness(): Promise<HealthCheckResult> {
    return this.health.check(
      this.checks.map((check) => async () => {
        const session = this.indicator.check(check.name);
        const ready = await check.isReady().catch(() => false);
        return ready ? session.up() : session.down();
      }),
    );
  }
}
