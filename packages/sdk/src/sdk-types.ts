import type { EventRejection, EventType, TrackedEvent } from '@tally/contracts';

type WithLooseTime<E> = Omit<E, 'timestamp'> & { timestamp?: string | Date };

type Loosened<E> = E extends { type: 'click' | 'custom'; properties: infer P }
  ? WithLooseTime<Omit<E, 'properties'>> & { properties?: P }
  : WithLooseTime<E>;

/** What `track()` takes: a Tally event whose `id`, `timestamp` (and, where allowed, `properties`) may be left out. */
export type TrackInput = Loosened<TrackedEvent>;

/** An event as it goes over the wire: always with an id and a timestamp. */
export interface QueuedEvent {
  id: string;
  type: EventType;
  userId: string;
  timestamp: string;
  name?: string;
  properties: Record<string, unknown>;
}

/** A per-event rejection from a 202, with the event it is about. */
export interface TallyRejection {
  event: QueuedEvent;
  errors: EventRejection['errors'];
}

/**
 * Everything the SDK reports through `onError`. Each kind says what happened to the events:
 * `overflow` and `invalid_event` never entered the queue; `refused` (a 4xx) and `gave_up`
 * (retries exhausted) dropped a whole batch.
 */
export type TallyError =
  | { kind: 'overflow'; message: string; event: unknown }
  | { kind: 'invalid_event'; message: string; event: unknown }
  | { kind: 'closed'; message: string; event: unknown }
  | { kind: 'refused'; status: number; code: string; message: string; events: QueuedEvent[] }
  | { kind: 'gave_up'; attempts: number; message: string; events: QueuedEvent[] };

/** What one batch came to, for progress displays and tests. */
export interface BatchReport {
  events: number;
  accepted: number;
  rejected: number;
  attempts: number;
  outcome: 'acknowledged' | 'refused' | 'gave_up';
}

export interface RetryReport {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** HTTP status, or `network` for a dropped connection or a timeout. */
  reason: string;
  events: number;
}

export interface TallyOptions {
  /** Gateway origin, e.g. `https://tally.example.com`; `/v1/events` is appended. */
  endpoint: string;
  writeKey: string;
  /** Events per request; default 100, at most 500. */
  flushAt?: number;
  /** A partial batch is sent this long after its first event; default 1000 ms. */
  flushIntervalMs?: number;
  /** Retries per batch after the first attempt; default 10. */
  maxRetries?: number;
  /** Events held (queued and in flight) before `track` reports an overflow; default 10,000. */
  maxQueueSize?: number;
  /** Requests in flight at once; default 1. */
  maxConcurrentRequests?: number;
  /** Backoff base and cap for full jitter; default 500 ms and 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A request that has not answered by then is abandoned and retried; default 10 s. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  onError?: (error: TallyError) => void;
  onRejected?: (rejections: TallyRejection[]) => void;
  onRetry?: (retry: RetryReport) => void;
  onBatch?: (report: BatchReport) => void;
}
