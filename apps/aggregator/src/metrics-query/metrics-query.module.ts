import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { MetricsQueryHandler } from './metrics-query.handler.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';
import { ProjectQueryLimiter } from './project-query-limiter.js';
import { SharedQueryRuns } from './shared-query-runs.js';

@Module({
  imports: [DatabaseModule],
  providers: [MetricsQueryRepository, ProjectQueryLimiter, SharedQueryRuns, MetricsQueryHandler],
})
export class MetricsQueryModule {}
