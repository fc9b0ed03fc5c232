import { Injectable, Logger } from '@nestjs/common';
import { STREAMS, StoredEventBatch, SUBJECTS } from '@tally/contracts';
import { JetStreamConsumer, type ConsumedBatch } from '@tally/nats';
import { Counter } from 'prom-client';
import { isTransientDatabaseError } from '@tally/platform';
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
  help: 'Redelivered event batches that were already applied',
});

/**
 * Folds each partition's event batches into the rollups exactly once: the batch's rows and the
 * record of its stream sequences are written in one transaction, and a sequence already
 * recorded (a redelivery, in any order) is skipped.
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
    const seqs = batch.messages.map((m) => m.seq);
    const committed = await this.repository.applyOnce(partition, seqs, (fresh) => {
      batchesSkipped.inc(batch.messages.length - fresh.size);
      // NOTE: a redelivered copy can share a batch with its original; fold each sequence once.
      const applied = batch.messages.filter((m) => fresh.delete(m.seq));
      if (applied.length === 0) return undefined;
      const rows = foldBatches(applied.map((m) => m.data));
      const events = applied.reduce((n, m) => n + m.data.events.length, 0);
      const lastSeq = Math.max(...applied.map((m) => m.seq));
      return { rows, result: { rows, lastSeq, events } };
    });
    if (!committed) return;
    eventsApplied.inc(committed.events);
    this.logger.debug({ partition, seq: committed.lastSeq, events: committed.events }, 'applied');
    await this.deltas.publish(rollupDeltas(committed.rows, partition, committed.lastSeq));
  }
}
