import { z } from 'zod';
import { EVENT_TYPES } from './events.js';
import { storableText } from './pg-text.js';

export const ALERT_METRICS = ['count', 'unique_users', 'revenue'] as const;
export const ALERT_COMPARISONS = ['above', 'below', 'change_pct'] as const;
export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;
export const ALERT_STATES = ['ok', 'firing'] as const;
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'dead'] as const;

/** Where a rule's notifications go; `slack` sends a Slack-compatible `{ text }` body. */
export const AlertDestination = z.object({
  url: storableText(z.url({ protocol: /^https?$/ }).max(2048)),
  format: z.enum(WEBHOOK_FORMATS).default('standard'),
});
export type AlertDestination = z.infer<typeof AlertDestination>;

/**
 * A rule's settable fields, without defaults (so that a patch leaves omitted fields alone).
 * Every string is text Postgres can store: a NUL would otherwise fail the insert, not the check.
 */
const AlertRuleFields = z.object({
  name: storableText(z.string().min(1).max(200)),
  metric: z.enum(ALERT_METRICS),
  eventType: z.enum(EVENT_TYPES),
  /** Dimension filter (the event's name/element/path, as in the metrics query). */
  dimension: storableText(z.string().max(1024)).optional(),
  /** Required for `revenue`: ISO 4217 code. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  /** Window length in seconds, whole minutes (rollups are minute buckets), at most 1 day. */
  windowSeconds: z
    .number()
    .int()
    .min(60)
    .max(86_400)
    .refine((s) => s % 60 === 0, 'must be whole minutes'),
  comparison: z.enum(ALERT_COMPARISONS),
  /** A value for `above`/`below`; a percentage (e.g. 50 = ±50 %) for `change_pct`. */
  threshold: z.number().finite().min(0),
  /** After a notification fires, the rule does not fire again for this long. */
  cooldownSeconds: z.number().int().min(0).max(604_800),
  /** Resolve only when the value is this many percent back inside the threshold. */
  hysteresisPct: z.number().min(0).max(100),
  destinations: z.array(AlertDestination).min(1).max(5),
  enabled: z.boolean(),
});

/** What a client sets on a new rule. */
export const AlertRuleInput = AlertRuleFields.extend({
  cooldownSeconds: AlertRuleFields.shape.cooldownSeconds.default(300),
  hysteresisPct: AlertRuleFields.shape.hysteresisPct.default(0),
  enabled: AlertRuleFields.shape.enabled.default(true),
});
export type AlertRuleInput = z.infer<typeof AlertRuleInput>;

/** A change to a rule: any subset of the fields; omitted ones stay as they are. */
export const AlertRulePatch = AlertRuleFields.partial();
export type AlertRulePatch = z.infer<typeof AlertRulePatch>;

/** A rule as the API shows it; the signing secret is shown once, on creation. */
export const AlertRule = AlertRuleInput.extend({
  id: z.string(),
  projectId: z.string(),
  state: z.enum(ALERT_STATES),
  lastValue: z.number().nullable(),
  lastEvaluatedAt: z.string().nullable(),
  lastFiredAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlertRule = z.infer<typeof AlertRule>;

/**
 * How a project's rule list is paged. A page holds at most `maxPageSize` rules and, whatever they
 * hold, at most `maxPageBytes` of rule JSON: a reply must fit in one NATS message (`max_payload`,
 * 1 MiB by default), and one rule at its field limits is about 40 KiB of JSON.
 */
export const ALERT_LIST_LIMITS = {
  defaultPageSize: 50,
  maxPageSize: 100,
  maxPageBytes: 512 * 1024,
} as const;

/** An opaque position in a project's rule list, from a previous page's `nextCursor`. */
export const AlertRuleCursor = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a list cursor');

/** gateway → notifier (request/reply on `SUBJECTS.alertRules`, queue group `notifier`). */
export const AlertRuleRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('list'),
    projectId: z.string().min(1),
    limit: z
      .number()
      .int()
      .min(1)
      .max(ALERT_LIST_LIMITS.maxPageSize)
      .default(ALERT_LIST_LIMITS.defaultPageSize),
    cursor: AlertRuleCursor.optional(),
  }),
  z.object({ op: z.literal('get'), projectId: z.string().min(1), id: z.string().min(1) }),
  z.object({ op: z.literal('create'), projectId: z.string().min(1), rule: AlertRuleInput }),
  z.object({
    op: z.literal('update'),
    projectId: z.string().min(1),
    id: z.string().min(1),
    patch: AlertRulePatch,
  }),
  z.object({ op: z.literal('delete'), projectId: z.string().min(1), id: z.string().min(1) }),
]);
export type AlertRuleRequest = z.infer<typeof AlertRuleRequest>;

export const ALERT_ERROR_CODES = [
  'not_found',
  'invalid_rule',
  'destination_refused',
  /** The project already has as many rules as the notifier allows (`ALERT_RULES_PER_PROJECT`). */
  'rule_limit_reached',
  'invalid_cursor',
] as const;

const AlertFailure = z.object({
  ok: z.literal(false),
  code: z.enum(ALERT_ERROR_CODES),
  message: z.string(),
});

export const AlertRuleReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    rules: z.array(AlertRule),
    /** Only in the reply to `create`: `whsec_` + base64 key to verify webhook signatures. */
    secret: z.string().optional(),
    /** Only in the reply to `list`, when more rules follow this page. */
    nextCursor: AlertRuleCursor.optional(),
  }),
  AlertFailure,
]);
export type AlertRuleReply = z.infer<typeof AlertRuleReply>;

/** gateway → notifier (request/reply on `SUBJECTS.alertDeliveries`): a rule's delivery log. */
export const DeliveryLogQuery = z.object({
  projectId: z.string().min(1),
  ruleId: z.string().min(1),
  limit: z.number().int().min(1).max(200).default(50),
});
export type DeliveryLogQuery = z.infer<typeof DeliveryLogQuery>;

export const DeliveryAttempt = z.object({
  attempt: z.number().int().min(1),
  at: z.string(),
  durationMs: z.number().int().min(0),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The first bytes of the response body (capped). */
  responseExcerpt: z.string().nullable(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const Delivery = z.object({
  /** The `webhook-id`, the same on every attempt. */
  id: z.string(),
  ruleId: z.string(),
  url: z.string(),
  event: z.enum(['alert.firing', 'alert.resolved']),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  log: z.array(DeliveryAttempt),
});
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryLogReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), deliveries: z.array(Delivery) }),
  AlertFailure,
]);
export type DeliveryLogReply = z.infer<typeof DeliveryLogReply>;

/** The JSON body of a `standard` webhook. */
export const AlertWebhookPayload = z.object({
  type: z.enum(['alert.firing', 'alert.resolved']),
  timestamp: z.string(),
  data: z.object({
    ruleId: z.string(),
    ruleName: z.string(),
    projectId: z.string(),
    metric: z.enum(ALERT_METRICS),
    eventType: z.enum(EVENT_TYPES),
    dimension: z.string().optional(),
    comparison: z.enum(ALERT_COMPARISONS),
    threshold: z.number(),
    windowSeconds: z.number().int(),
    value: z.number(),
    previousValue: z.number().optional(),
  }),
});
export type AlertWebhookPayload = z.infer<typeof AlertWebhookPayload>;
