import type { StoredEvent, StoredEventBatch } from '@tally/contracts';

/** When the page views happen (and are received). */
export const T0 = Date.parse('2026-11-25T10:00:00.000Z');

/** A page view of `userId` on `dimension` at T0, with a fresh id. */
export function pageView(userId: string, dimension = 'home'): StoredEvent {
  return {
    id: crypto.randomUUID(),
    type: 'page_view',
    dimension,
    userId,
    timestamp: T0,
    receivedAt: T0,
  };
}

/** A stored batch of partition 0, as ingest publishes it. */
export function storedBatch(
  batchId: string,
  projectId: string,
  events: StoredEvent[],
): StoredEventBatch {
  return { v: 1, batchId, projectId, partition: 0, events };
}
