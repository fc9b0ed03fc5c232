import { Injectable, Logger } from '@nestjs/common';
import { STREAMS, StoredEventBatch, SUBJECTS } from '@tally/contracts';
import { JetStreamConsumer, type ConsumedBatch } from '@tally/nats';
import { Counter } from 'prom-client';
import { isTransientDatabaseError } from '../database/sql-errors.js';
import { foldBatches } from './bucket-fold.js';
import { RollupDeltaPublisher } from './rollup-delta.publisher.js';
import { rollupDeltas } from './rollup-deltas.js';
import { RollupRepository } from './rollup.repository.js';

const eventsApplied = new Counter({
  name: 'tally_aggregator_events_applied_total',
  help: 'Events folded into the rollups',
});
const batchesSkipped = new Counter({
  name: 'tally_aggregator_batches_skipped_total',
  help: 'Redelivered event batches already applied (sequence at or below the stored offset)',
});

/**
 * Folds each partition's event batches into the rollups exactly once: the batch's rows and the
 * partition's offset move together in one transaction; anything at or below the stored offset
 * was already applied and is skipped.
 */
@Injectable()
export class RollupWriter {
  private readonly logger = new Logger(RollupWriter.name);

  constructor(
    private readonly repository: RollupRepository,
    private readonly deltas: RollupDeltaPublisher,
  ) {}

  @JetStreamConsumer({
    stream: STREAMS.events.name,
    durable: 'aggregator',
    subject: (partition) => SUBJECTS.events(partition),
    schema: StoredEventBatch,
    ordered: true,
    isTransient: isTransientDatabaseError,
  })
  async apply(batch: ConsumedBatch<StoredEventBatch>): Promise<void> {
    const partition = batch.partition ?? 0;
    const committed = await this.repository.applyInOrder(partition, (storedSeq) => {
      const fresh = batch.messages.filter((m) => m.seq > storedSeq);
      batchesSkipped.inc(batch.messages.length - fresh.length);
      const last = fresh.at(-1);
      if (!last) return undefined;
      const rows = foldBatches(fresh.map((m) => m.data));
      const events = fresh.reduce((n, m) => n + m.data.events.length, 0);
      return { rows, lastSeq: last.seq, result: { rows, lastSeq: last.seq, events } };
    });
    if (!committed) return;
    eventsApplied.inc(committed.events);
    this.logger.debug({ partition, seq: committed.lastSeq, events: committed.events }, 'applied');
    await this.deltas.publish(rollupDeltas(committed.rows, partition, committed.lastSeq));
  }
}
