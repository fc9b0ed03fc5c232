import { GRANULARITY_MS, type Granularity, type StoredEventBatch } from '@tally/contracts';

/** Length of each rollup bucket. */
export const BUCKET_MS = GRANULARITY_MS;

/**
 * What a set of events adds to one minute bucket. Hour and day rows are derived from these in
 * the database (`RollupRepository`), so each event is folded, and each user hashed, once.
 */
export interface MinuteRollup {
  projectId: string;
  eventType: string;
  dimension: string;
  /** ISO 4217 code for purchases, '' for everything else. */
  currency: string;
  /** Minute bucket start (UTC), epoch milliseconds. */
  bucket: number;
  count: number;
  revenueMicros: bigint;
  users: Set<string>;
}

export function bucketStart(timestamp: number, granularity: Granularity): number {
  const size = BUCKET_MS[granularity];
  return Math.floor(timestamp / size) * size;
}

/**
 * Folds event batches into minute rollup rows keyed by (project, type, dimension, currency,
 * bucket): each event lands in the minute of its event time.
 */
export function foldBatches(batches: readonly StoredEventBatch[]): MinuteRollup[] {
  const rows = new Map<string, MinuteRollup>();
  for (const batch of batches) {
    for (const event of batch.events) {
      const currency = event.revenue?.currency ?? '';
      const bucket = bucketStart(event.timestamp, 'minute');
      const key = `${batch.projectId}\u0000${event.type}\u0000${event.dimension}\u0000${currency}\u0000${bucket}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          projectId: batch.projectId,
          eventType: event.type,
          dimension: event.dimension,
          currency,
          bucket,
          count: 0,
          revenueMicros: 0n,
          users: new Set(),
        };
        rows.set(key, row);
      }
      row.count += 1;
      if (event.revenue) row.revenueMicros += BigInt(event.revenue.amountMicros);
      row.users.add(event.userId);
    }
  }
  return [...rows.values()];
}
