import { z } from 'zod';
import {
  AlertDestination,
  AlertRule,
  AlertRuleCursor,
  ALERT_COMPARISONS,
  ALERT_LIST_LIMITS,
  ALERT_METRICS,
  Delivery,
} from './alerts.js';
import { EventBatchBody, EVENT_TYPES, TrackedEvent } from './events.js';
import { INGEST_LIMITS } from './limits.js';
import { ErrorInfo, EventError, EventRejection, Granularity, MetricsPoint } from './messages.js';
import { ApiKeyRecord, KeyKind, ProjectRecord } from './projects.js';
import { QUERY_LIMITS } from './query-cost.js';

/**
 * The gateway's public HTTP API: request bodies and parameters it validates with these schemas,
 * and the bodies it answers with. The OpenAPI document at `/docs` is generated from them.
 */

/** Every 4xx/5xx body. `details` lists one entry per invalid field or parameter. */
export const ApiErrorBody = z.object({ error: ErrorInfo });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

// --- POST /v1/events -------------------------------------------------------------------------

/**
 * What `POST /v1/events` accepts: one event, or a batch. Ingest reads the body with
 * `parseTrackBody` (a refused envelope is a `400`) and checks each event on its own
 * (`TrackedEvent`), so an invalid event is a per-event rejection in the `202`.
 */
export const TrackRequestBody = z.union([
  TrackedEvent,
  EventBatchBody.extend({
    events: z.array(TrackedEvent).min(1).max(INGEST_LIMITS.maxEventsPerBatch),
  }),
]);

export const TrackReply = z.object({
  accepted: z.number().int().min(0),
  rejected: z.array(EventRejection),
});
export type TrackReply = z.infer<typeof TrackReply>;

// --- GET /v1/metrics -------------------------------------------------------------------------

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const MetricsQueryParams = z
  .object({
    type: z.enum(EVENT_TYPES).optional().describe('one event type; all types when absent'),
    name: z
      .string()
      .max(1024)
      .optional()
      .describe("one dimension: the event name, or the type's natural one (element, path, method)"),
    from: z.iso.datetime({ offset: true }).describe('start of the range (inclusive), ISO 8601'),
    to: z.iso.datetime({ offset: true }).describe('end of the range (exclusive), ISO 8601'),
    granularity: Granularity.default('hour').describe(
      `bucket length; buckets × series at most ${QUERY_LIMITS.maxPoints.toLocaleString('en')}`,
    ),
    groupBy: z.literal('dimension').optional().describe('one series per dimension'),
    tz: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
      .optional()
      .describe('IANA time zone whose midnights bound day buckets; UTC when absent'),
    top: z.coerce
      .number()
      .int()
      .min(1)
      .max(QUERY_LIMITS.maxTop)
      .optional()
      .describe(
        `with groupBy=dimension: only the N dimensions with the highest count (${QUERY_LIMITS.defaultTop} when absent)`,
      ),
    total: z
      .enum(['true', 'false'])
      .optional()
      .describe('true: one point for the whole range, unique users merged over all of its buckets'),
  })
  .refine((p) => p.top === undefined || p.groupBy === 'dimension', {
    path: ['top'],
    message: 'top needs groupBy=dimension',
  });

export const MetricsSeriesReply = z.object({ series: z.array(MetricsPoint) });
export type MetricsSeriesReply = z.infer<typeof MetricsSeriesReply>;

// --- GET /v1/rejected ------------------------------------------------------------------------

export const REJECTED_LIMITS = { default: 50, max: 500 } as const;

export const RejectedEventsParams = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(REJECTED_LIMITS.max)
    .default(REJECTED_LIMITS.default)
    .describe('how many of the newest rejected events to return'),
});

export const RejectedEventItem = z.object({
  /** Sequence in the rejected-events stream. */
  seq: z.number().int().min(1),
  receivedAt: z.iso.datetime(),
  requestId: z.string(),
  /** Index of the event in the client's request, as in the `202` answer. */
  index: z.number().int().min(0),
  errors: z.array(EventError).min(1),
  /** The offending event as JSON, truncated. */
  excerpt: z.string(),
});
export type RejectedEventItem = z.infer<typeof RejectedEventItem>;

export const RejectedEventsReply = z.object({ rejected: z.array(RejectedEventItem) });
export type RejectedEventsReply = z.infer<typeof RejectedEventsReply>;

// --- /v1/alerts ------------------------------------------------------------------------------

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `"90s"`, `"5m"`, `"1h"`, `"1d"` (or a number of seconds) → seconds. */
const Duration = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d+[smhd]$/, 'a duration like "30s", "5m", "1h" or "1d"')
    .transform((v) => Number(v.slice(0, -1)) * UNIT_SECONDS[v.at(-1) as keyof typeof UNIT_SECONDS]),
]);

/**
 * The public body of `POST /v1/alerts`; `PATCH` takes any subset of it. The gateway renames
 * `window`/`cooldown` to the rule contract's `windowSeconds`/`cooldownSeconds` and checks the
 * contract's bounds too.
 */
export const AlertRuleBody = z.strictObject({
  name: z.string(),
  metric: z.enum(ALERT_METRICS),
  eventType: z.enum(EVENT_TYPES),
  /** Filter on the event's name/element/path (the rollups' dimension). */
  dimension: z.string().optional(),
  currency: z.string().optional(),
  window: Duration,
  comparison: z.enum(ALERT_COMPARISONS),
  threshold: z.number(),
  cooldown: Duration.optional(),
  hysteresisPct: z.number().optional(),
  destinations: z.array(AlertDestination),
  enabled: z.boolean().optional(),
});
export type AlertRuleBody = z.infer<typeof AlertRuleBody>;

export const AlertRulePatchBody = AlertRuleBody.partial();

export const AlertRuleCreatedReply = z.object({
  rule: AlertRule,
  /** `whsec_` + base64: verifies webhook signatures. Shown only here. */
  secret: z.string(),
});
export const AlertRuleOneReply = z.object({ rule: AlertRule });
export const AlertRuleListParams = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(ALERT_LIST_LIMITS.maxPageSize)
    .default(ALERT_LIST_LIMITS.defaultPageSize)
    .describe('at most this many rules on the page (fewer when they are large)'),
  cursor: AlertRuleCursor.optional().describe("the previous page's nextCursor"),
});

export const AlertRuleListReply = z.object({
  rules: z.array(AlertRule),
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: AlertRuleCursor.nullable(),
});

export const DeliveryLogParams = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .describe('how many of the newest deliveries to return'),
});
export const DeliveryLogListReply = z.object({ deliveries: z.array(Delivery) });

// --- /v1/admin/projects ----------------------------------------------------------------------

export const CreateProjectBody = z.object({ name: z.string().trim().min(1).max(200) });
export const IssueKeyBody = z.object({ kind: KeyKind });

export const ProjectListReply = z.object({ projects: z.array(ProjectRecord) });

/** A key as listed: never the key itself. */
export const ApiKeySummary = ApiKeyRecord.omit({ projectId: true });
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

/** The only answer that ever carries a key. */
export const IssuedApiKey = ApiKeySummary.extend({ key: z.string() });
export type IssuedApiKey = z.infer<typeof IssuedApiKey>;

export const ApiKeyListReply = z.object({ keys: z.array(ApiKeySummary) });

// --- /healthz, /readyz -----------------------------------------------------------------------

/** What `/healthz` and `/readyz` answer (200 when `ok`, 503 otherwise), one entry per check. */
export const HealthReply = z.looseObject({
  status: z.enum(['ok', 'error', 'shutting_down']),
  details: z.record(z.string(), z.looseObject({ status: z.string() })).optional(),
});
