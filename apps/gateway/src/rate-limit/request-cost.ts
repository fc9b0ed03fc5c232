import { INGEST_LIMITS, type TrackReply } from '@tally/contracts';

/** What a request costs its key, in the unit of the key's limit. */
export interface RequestCost {
  /** From the request's body, as bytes or parsed JSON; the body is not validated yet. */
  ofBody: (body: unknown) => number;
  /**
   * For requests that cost at most `max`: when the key holds `max`, the request is charged `max`
   * up front and settled to `ofReply(reply)` once answered (to `ofBody` if it failed), so its
   * body is only read here when the key is near its limit.
   */
  settled?: { max: number; ofReply: (reply: unknown) => number };
}

export const ONE_REQUEST: RequestCost = { ofBody: () => 1 };

/**
 * `POST /v1/events`: its number of events, at least 1. A list longer than a batch may be is
 * charged as a full batch (it gets a 400).
 */
export const TRACKED_EVENTS: RequestCost = {
  ofBody: eventsInBody,
  settled: {
    max: INGEST_LIMITS.maxEventsPerBatch,
    ofReply: (reply) =>
      eventCount((reply as TrackReply).accepted + (reply as TrackReply).rejected.length),
  },
};

function eventsInBody(body: unknown): number {
  const parsed = body instanceof Uint8Array ? parsedJson(body) : body;
  const events =
    typeof parsed === 'object' && parsed !== null && 'events' in parsed ? parsed.events : [];
  return eventCount(Array.isArray(events) ? events.length : 1);
}

function parsedJson(bytes: Uint8Array): unknown {
  try {
    // NOTE: only counted here; a `__proto__` key is an own property of JSON.parse's result.
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
  } catch {
    return undefined;
  }
}

function eventCount(n: number): number {
  return Math.min(Math.max(n, 1), INGEST_LIMITS.maxEventsPerBatch);
}
