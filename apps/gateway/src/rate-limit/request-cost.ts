import { countTrackEvents, INGEST_LIMITS, type TrackReply } from '@tally/contracts';

/** What a request costs its key, in the unit of the key's limit. */
export interface RequestCost {
  /** From the request's body, as bytes or parsed JSON; the body is not validated yet. */
  ofBody: (body: unknown) => number;
  /**
   * For requests whose cost is known once answered: while the key holds `atMost(body)`, the
   * request is charged that up front and settled to `ofReply(reply)` (to `ofBody` if it failed),
   * so its body is only read here when the key is near its limit.
   */
  settled?: { atMost: (body: unknown) => number; ofReply: (reply: unknown) => number };
}

export const ONE_REQUEST: RequestCost = { ofBody: () => 1 };

const MAX = INGEST_LIMITS.maxEventsPerBatch;
// NOTE: an event in a batch takes at least two bytes (`0,`), and rejected events count too.
const MIN_EVENT_BYTES = 2;

/**
 * `POST /v1/events`, whose body arrives as bytes: its number of events, at least 1, counted the
 * way ingest reads the body. A list longer than a batch may be is charged as a full batch (it
 * gets a 400), and so is a body that cannot be read.
 */
export const TRACKED_EVENTS: RequestCost = {
  ofBody: (body) => {
    if (!(body instanceof Uint8Array)) return 1;
    return clamp(countTrackEvents(body) ?? MAX);
  },
  settled: {
    atMost: (body) =>
      body instanceof Uint8Array ? clamp(Math.ceil(body.length / MIN_EVENT_BYTES)) : 1,
    ofReply: (reply) =>
      clamp((reply as TrackReply).accepted + (reply as TrackReply).rejected.length),
  },
};

function clamp(events: number): number {
  return Math.min(Math.max(events, 1), MAX);
}
