import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { EVALUATION_CLOCK, systemClock } from './evaluation-clock.js';
import { RuleBatchEvaluator } from './rule-batch.evaluator.js';
import { RuleEvaluationRepository } from './rule-evaluation.repository.js';
import { RuleEvaluatorService } from './rule-evaluator.service.js';
import { WindowMetricsClient } from './window-metrics.client.js';

@Module({
  imports: [DatabaseModule],
  providers: [
    RuleEvaluationRepository,
    WindowMetricsClient,
    { provide: EVALUATION_CLOCK, useValue: systemClock },
    RuleBatchEvaluator,
    RuleEvaluatorService,
  ],
  exports: [RuleEvaluationRepository],
})
export class EvaluationModule {}
