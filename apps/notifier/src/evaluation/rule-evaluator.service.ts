import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BackgroundLoop } from '@tally/platform';
import type { NotifierConfig } from '../config/notifier.config.js';
import { RuleBatchEvaluator } from './rule-batch.evaluator.js';

/**
 * Evaluates due rules in a loop. A rule is due when its timer runs out (every
 * ALERT_EVAL_INTERVAL, which is what makes `below` rules fire when no events arrive at all)
 * or when a rollup delta for its project arrived.
 */
@Injectable()
export class RuleEvaluatorService extends BackgroundLoop {
  constructor(
    private readonly evaluator: RuleBatchEvaluator,
    config: ConfigService<NotifierConfig, true>,
  ) {
    super({
      idleMs: config.get('alerts.pollIntervalMs', { infer: true }),
      failure: 'rule evaluation failed',
    });
  }

  protected step(): Promise<boolean> {
    return this.evaluator.evaluateDue();
  }
}
