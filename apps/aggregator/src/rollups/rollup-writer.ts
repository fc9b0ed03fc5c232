import { Injectable, Logger } from '@nestjs/common';
import { STREAMS, StoredEventBatch, SUBJECTS } from '@tally/contracts';
import {
  DeadLetters,
  JetStreamConsumer,
  type ConsumedBatch,
  type ConsumedMessage,
} from '@tally/nats';
import { Counter } from 'prom-client';
import { isTransientDatabaseError, sqlState } from '@tally/platform';
import { applyBisecting } from './bisect-apply.js';
import { foldBatches, type MinuteRollup } from './bucket-fold.js';
import { deadLetterPart, eventUnits, foldUnits, refusalReason } from './event-units.js';
import { RollupDeltaPublisher } from './rollup-delta.publisher.js';
import { rollupDeltas } from './rollup-deltas.js';
import { RollupRepository, type UpsertRollups } from './rollup.repository.js';

const eventsApplied = new Counter({
  name: 'tally_aggregator_events_applied_total',
  help: 'Events folded into the rollups',
});
const batchesSkipped = new Counter({
  name: 'tally_aggregator_batches_skipped_total',
  help: 'Redelivered event batches that were already applied',
});
const eventsDeadLettered = new Counter({
  name: 'tally_aggregator_events_dead_lettered_total',
  help: 'Stored events Postgres refused for good (by SQLSTATE), dead-lettered while the rest of their batch was applied',
  labelNames: ['sqlstate'] as const,
});

type StoredMessage = ConsumedMessage<StoredEventBatch>;

interface Applied {
  rows: MinuteRollup[];
  lastSeq: number;
  messages: number;
  events: number;
  /** SQLSTATE of each dead-lettered event. */
  refused: string[];
}

/**
 * Folds each partition's event batches into the rollups exactly once: the batch's rows and the
 * record of its stream sequences are written in one transaction, and a sequence already
 * recorded (a redelivery, in any order) is skipped. A batch Postgres refuses for good is applied
 * again event by event: only the events it refuses are dead-lettered (see docs/decisions.md).
 */
@Injectable()
export class RollupWriter {
  private readonly logger = new Logger(RollupWriter.name);

  constructor(
    private readonly repository: RollupRepository,
    private readonly deltas: RollupDeltaPublisher,
    private readonly deadLetters: DeadLetters,
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
    const committed = await this.applyAll(partition, batch).catch((err: unknown) => {
      if (isTransientDatabaseError(err)) throw err;
      this.logger.warn(
        { partition, reason: refusalReason(err), messages: batch.messages.length },
        'Postgres refused the batch; applying it event by event',
      );
      return this.applyEventByEvent(partition, batch);
    });
    batchesSkipped.inc(batch.messages.length - (committed?.messages ?? 0));
    if (!committed) return;
    eventsApplied.inc(committed.events);
    for (const state of committed.refused) eventsDeadLettered.inc({ sqlstate: state });
    this.logger.debug({ partition, seq: committed.lastSeq, events: committed.events }, 'applied');
    await this.deltas.publish(rollupDeltas(committed.rows, partition, committed.lastSeq));
  }

  /** The fast path: the whole batch in one upsert. */
  private applyAll(partition: number, batch: ConsumedBatch<StoredEventBatch>) {
    return this.repository.applyOnce(partition, seqsOf(batch), async (fresh, upsert) => {
      const applied = freshMessages(batch, fresh);
      if (applied.length === 0) return undefined;
      const rows = foldBatches(applied.map((m) => m.data));
      await upsert(rows);
      const events = applied.reduce((n, m) => n + m.data.events.length, 0);
      return summary(applied, rows, events, []);
    });
  }

  /**
   * Applies what Postgres accepts and dead-letters each event it refuses for good, in the same
   * transaction that records the batch's sequences.
   */
  private applyEventByEvent(partition: number, batch: ConsumedBatch<StoredEventBatch>) {
    const work = async (fresh: Set<number>, upsert: UpsertRollups) => {
      const applied = freshMessages(batch, fresh);
      if (applied.length === 0) return undefined;
      const units = eventUnits(applied);
      const refused = await applyBisecting(
        units,
        (some) => upsert(foldUnits(some)),
        (err) => !isTransientDatabaseError(err),
      );
      // NOTE: published before COMMIT, under ids that are the same on every try: if the commit
      // fails or the process dies now, the message comes back, is refused the same way, and its
      // events' records are deduplicated by the stream instead of being lost or doubled.
      await this.deadLetters.recordParts(
        refused.map(({ item, error }) => ({
          part: deadLetterPart(batch.consumer, item),
          reason: refusalReason(error),
        })),
      );
      const gone = new Set(refused.map((r) => r.item));
      const kept = units.filter((u) => !gone.has(u));
      const states = refused.map((r) => sqlState(r.error) ?? 'unknown');
      return summary(applied, foldUnits(kept), kept.length, states);
    };
    return this.repository.applyOnce(partition, seqsOf(batch), work, { isolateUpserts: true });
  }
}

function seqsOf(batch: ConsumedBatch<StoredEventBatch>): number[] {
  return batch.messages.map((m) => m.seq);
}

/** The messages whose sequences were not applied before, each once. */
function freshMessages(
  batch: ConsumedBatch<StoredEventBatch>,
  fresh: Set<number>,
): StoredMessage[] {
  // NOTE: a redelivered copy can share a batch with its original; fold each sequence once.
  return batch.messages.filter((m) => fresh.delete(m.seq));
}

function summary(
  applied: StoredMessage[],
  rows: MinuteRollup[],
  events: number,
  refused: string[],
): Applied {
  const lastSeq = Math.max(...applied.map((m) => m.seq));
  return { rows, lastSeq, messages: applied.length, events, refused };
}
