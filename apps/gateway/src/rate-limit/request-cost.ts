import { INGEST_LIMITS } from '@tally/contracts';

/**
 * What a `POST /v1/events` body costs: its number of events, at least 1. The body is not
 * validated yet; a list longer than a batch may be is charged as a full batch (it gets a 400).
 */
export function eventsInBody(body: unknown): number {
  const events = typeof body === 'object' && body !== null && 'events' in body ? body.events : [];
  const count = Array.isArray(events) ? events.length : 1;
  return Math.min(Math.max(count, 1), INGEST_LIMITS.maxEventsPerBatch);
}
