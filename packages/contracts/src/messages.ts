import { z } from 'zod';
import { EVENT_TYPES, StoredEvent } from './events.js';
import { ProjectId } from './projects.js';
import { QUERY_ERROR_CODES, QUERY_LIMITS } from './query-cost.js';

/** One reason an event was refused; `path` points into the event. */
export const EventError = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type EventError = z.infer<typeof EventError>;

export const EventRejection = z.object({
  index: z.number().int().min(0),
  errors: z.array(EventError).min(1),
});
export type EventRejection = z.infer<typeof EventRejection>;

/** What went wrong with a whole request: the `error` of the API's 4xx/5xx bodies. */
export const ErrorInfo = z.object({
  /** Machine-readable: `invalid_body`, `missing_key`, `rate_limited`, … */
  code: z.string(),
  message: z.string(),
  details: z.array(z.looseObject({ message: z.string() })).optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/**
 * gateway → ingest (request/reply on `SUBJECTS.ingestBatch`). The message's data is the client's
 * `POST /v1/events` body as received (a `TrackRequestBody`; ingest parses and checks it with
 * `parseTrackBody`), or, for a body too large for one NATS message, a slice of its events
 * re-serialised as `{ events, sentAt }`. What the gateway knows travels in headers, named here.
 */
export const INGEST_REQUEST_HEADERS = {
  projectId: 'Tally-Project',
  requestId: 'Tally-Request-Id',
  receivedAt: 'Tally-Received-At',
  firstIndex: 'Tally-First-Index',
} as const;

export const IngestRequestHeaders = z.object({
  projectId: ProjectId,
  requestId: z.string().min(1),
  /** Gateway receive time, epoch milliseconds, as header text. */
  receivedAt: z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number),
  /** Index of the slice's first event in the client's request, as header text. */
  firstIndex: z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .default(0),
});
export type IngestRequestHeaders = z.infer<typeof IngestRequestHeaders>;

/**
 * ingest → gateway. `stored: false` means nothing was stored: JetStream did not confirm the
 * write (the gateway answers 503), or the body itself is invalid (`invalidBody`: 400).
 */
export const IngestReply = z.discriminatedUnion('stored', [
  z.object({
    stored: z.literal(true),
    accepted: z.number().int().min(0),
    rejected: z.array(EventRejection),
  }),
  z.object({ stored: z.literal(false), reason: z.string(), invalidBody: ErrorInfo.optional() }),
]);
export type IngestReply = z.infer<typeof IngestReply>;

/** ingest → aggregator (JetStream `STREAMS.events`): one partition's share of one request. */
export const StoredEventBatch = z.object({
  v: z.literal(1),
  batchId: z.string(),
  projectId: z.string(),
  partition: z.number().int().min(0),
  events: z.array(StoredEvent).min(1),
});
export type StoredEventBatch = z.infer<typeof StoredEventBatch>;

/** ingest → anyone (JetStream `STREAMS.rejected`): an event that was not accepted, with why. */
export const RejectedEvent = z.object({
  projectId: z.string(),
  requestId: z.string(),
  index: z.number().int().min(0),
  receivedAt: z.number().int(),
  errors: z.array(EventError).min(1),
  /** The offending event, truncated so a hostile payload cannot bloat the stream. */
  excerpt: z.string(),
});
export type RejectedEvent = z.infer<typeof RejectedEvent>;

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export const Granularity = z.enum(GRANULARITIES);
export type Granularity = z.infer<typeof Granularity>;

/** aggregator → live view and notifier: what one committed batch added to the minute rollups. */
export const RollupDelta = z.object({
  projectId: z.string(),
  partition: z.number().int().min(0),
  /** Stream sequence of the last event batch folded into this delta. */
  seq: z.number().int().min(0),
  rows: z.array(
    z.object({
      type: z.enum(EVENT_TYPES),
      dimension: z.string(),
      /** Start of the minute bucket, epoch milliseconds. */
      bucket: z.number().int(),
      count: z.number().int().min(0),
      /** Revenue per ISO 4217 currency, in micro-units. */
      revenueMicros: z.record(z.string(), z.number().int().min(0)),
    }),
  ),
});
export type RollupDelta = z.infer<typeof RollupDelta>;

/** gateway → aggregator (request/reply on `SUBJECTS.metricsQuery`). */
export const MetricsQuery = z.object({
  projectId: z.string().min(1),
  type: z.enum(EVENT_TYPES).optional(),
  dimension: z.string().optional(),
  from: z.number().int(),
  to: z.number().int(),
  granularity: Granularity,
  groupByDimension: z.boolean().default(false),
  /** IANA time zone whose midnights bound day buckets; UTC when absent. */
  timeZone: z.string().optional(),
  /**
   * With groupByDimension: only the N dimensions with the highest count in the range
   * (`QUERY_LIMITS.defaultTop` when absent).
   */
  top: z.number().int().min(1).max(QUERY_LIMITS.maxTop).optional(),
  /**
   * One point for the whole range (its bucket is `from`): counts and revenue summed, unique users
   * one HLL union over every bucket, so a user seen in many buckets counts once.
   */
  total: z.boolean().optional(),
});
export type MetricsQuery = z.infer<typeof MetricsQuery>;

/**
 * NATS headers of a metrics query. Every hedged attempt of one query carries the same `queryId`,
 * so a replica already running that query joins it instead of running it again in a second
 * slot of the project's share. `queryClass` names the share it runs in (`QUERY_CLASSES`).
 */
export const METRICS_QUERY_HEADERS = {
  queryId: 'Tally-Query-Id',
  queryClass: 'Tally-Query-Class',
} as const;

/**
 * `interactive`: a user's query (the gateway's; also when the header is absent). `alert`: the
 * notifier's rule evaluation, which has its own share so a busy dashboard cannot make rules skip
 * a round.
 */
export const QUERY_CLASSES = ['interactive', 'alert'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export const MetricsPoint = z.object({
  bucket: z.string(),
  dimension: z.string().optional(),
  count: z.number().int().min(0),
  uniqueUsers: z.number().int().min(0),
  /** Revenue per ISO 4217 currency, as decimal strings so no precision is lost. */
  revenue: z.record(z.string(), z.string()),
});
export type MetricsPoint = z.infer<typeof MetricsPoint>;

export const MetricsReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), series: z.array(MetricsPoint) }),
  z.object({
    ok: z.literal(false),
    error: z.string(),
    /** Absent from older aggregators: then `invalid_query`. */
    code: z.enum(QUERY_ERROR_CODES).optional(),
    details: z.record(z.string(), z.number()).optional(),
  }),
]);
export type MetricsReply = z.infer<typeof MetricsReply>;
