import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { RuleEvaluationRepository } from './rule-evaluation.repository.js';
import { RuleEvaluatorService } from './rule-evaluator.service.js';
import { WindowMetricsClient } from './window-metrics.client.js';

@Module({
  imports: [DatabaseModule],
  providers: [RuleEvaluationRepository, WindowMetricsClient, RuleEvaluatorService],
  exports: [RuleEvaluationRepository],
})
export class EvaluationModule {}
