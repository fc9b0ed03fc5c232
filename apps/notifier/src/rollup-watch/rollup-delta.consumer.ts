import { Injectable, Logger } from '@nestjs/common';
import { RollupDelta, STREAMS } from '@tally/contracts';
import { JetStreamConsumer, type ConsumedBatch } from '@tally/nats';
import { Counter } from 'prom-client';
import { isTransientDatabaseError } from '@tally/platform';
import { RuleEvaluationRepository } from '../evaluation/rule-evaluation.repository.js';
import { RollupWatermarkRepository } from './rollup-watermark.repository.js';
import { foldWatermarks } from './watermark-fold.js';

/** Every project's rollup deltas (`tally.rollups.*`), from the stream's own definition. */
const ALL_ROLLUP_SUBJECTS = STREAMS.rollups.subjects[0];

const deltasSeen = new Counter({
  name: 'tally_notifier_rollup_deltas_total',
  help: 'Rollup deltas consumed and recorded in the watermarks',
});

/**
 * Consumes the rollup stream durably, records per project the latest delta seen, and makes the
 * project's alert rules due for evaluation. Replicas share the durable, so each delta is handled once;
 * the stream is provisioned by the aggregator and the runner retries until it exists.
 */
@Injectable()
export class RollupDeltaConsumer {
  private readonly logger = new Logger(RollupDeltaConsumer.name);

  constructor(
    private readonly watermarks: RollupWatermarkRepository,
    private readonly evaluation: RuleEvaluationRepository,
  ) {}

  @JetStreamConsumer({
    stream: STREAMS.rollups.name,
    durable: 'notifier',
    subject: ALL_ROLLUP_SUBJECTS,
    schema: RollupDelta,
    // NOTE: watermarks only move forward (GREATEST), so order does not matter and a failing
    // batch may be nak'ed and overtaken.
    ordered: false,
    isTransient: isTransientDatabaseError,
  })
  async record(batch: ConsumedBatch<RollupDelta>): Promise<void> {
    const updates = foldWatermarks(batch.messages.map((m) => m.data));
    await this.watermarks.advance(updates);
    // NOTE: new rollups make the project's rules due now; the evaluators (one per rule, by row
    // lock) read the window from the aggregator, which has committed what the delta describes.
    await this.evaluation.markDue(updates.map((u) => u.projectId));
    deltasSeen.inc(batch.messages.length);
    this.logger.debug({ deltas: batch.messages.length, projects: updates.length }, 'recorded');
  }
}
