import { Injectable, Logger } from '@nestjs/common';
import { RollupDelta, STREAMS } from '@tally/contracts';
import { JetStreamConsumer, type ConsumedBatch } from '@tally/nats';
import { Counter } from 'prom-client';
import { isTransientDatabaseError } from '../database/sql-errors.js';
import { RollupWatermarkRepository } from './rollup-watermark.repository.js';
import { foldWatermarks } from './watermark-fold.js';

/** Every project's rollup deltas (`tally.rollups.*`), from the stream's own definition. */
const ALL_ROLLUP_SUBJECTS = STREAMS.rollups.subjects[0];

const deltasSeen = new Counter({
  name: 'tally_notifier_rollup_deltas_total',
  help: 'Rollup deltas consumed and recorded in the watermarks',
});

/**
 * Consumes the rollup stream durably and records, per project, the latest delta seen: the input
 * alert evaluation will build on. Replicas share the durable, so each delta is handled once;
 * the stream is provisioned by the aggregator and the runner retries until it exists.
 */
@Injectable()
export class RollupDeltaConsumer {
  private readonly logger = new Logger(RollupDeltaConsumer.name);

  constructor(private readonly watermarks: RollupWatermarkRepository) {}

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
    deltasSeen.inc(batch.messages.length);
    this.logger.debug({ deltas: batch.messages.length, projects: updates.length }, 'recorded');
  }
}
