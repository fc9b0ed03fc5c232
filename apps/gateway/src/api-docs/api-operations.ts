import {
  AlertRuleBody,
  AlertRuleCreatedReply,
  AlertRuleListParams,
  AlertRuleListReply,
  AlertRuleOneReply,
  AlertRulePatchBody,
  ApiKeyListReply,
  ApiKeySummary,
  CreateProjectBody,
  DeliveryLogListReply,
  DeliveryLogParams,
  HealthReply,
  IssueKeyBody,
  IssuedApiKey,
  MetricsQueryParams,
  MetricsSeriesReply,
  ProjectListReply,
  ProjectRecord,
  RejectedEventsParams,
  RejectedEventsReply,
  TrackReply,
  TrackRequestBody,
} from '@tally/contracts';
import type { z } from 'zod';
import * as ex from './api-examples.js';
import type { ErrorStatus } from './error-codes.js';

export type Auth = 'writeKey' | 'readKey' | 'manageKey' | 'adminToken' | 'none';

export interface DocumentedResponse {
  description: string;
  content?: {
    /** Default `application/json`. */
    type?: string;
    /** Omitted for plain text. */
    schema?: z.ZodType;
    example: unknown;
  };
}

/** One route of the gateway as the document shows it. */
export interface DocumentedOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: `/v1/alerts/{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it; a list when any one of several credentials will do. */
  auth: Auth | readonly Auth[];
  pathParams?: Record<string, string>;
  query?: z.ZodType;
  body?: { schema: z.ZodType; examples: Record<string, { summary: string; value: unknown }> };
  responses: Record<number, DocumentedResponse>;
  errors: Partial<Record<ErrorStatus, string[]>>;
}

const json = (schema: z.ZodType, example: unknown) => ({ schema, example });
const BODY_ERRORS = {
  413: ['body_too_large'],
  415: ['unsupported_media_type', 'unsupported_encoding'],
};
const KEY_ERRORS = {
  401: ['missing_key', 'invalid_key'],
  403: ['wrong_key_kind'],
  429: ['rate_limited', 'too_many_auth_failures'],
};
const ADMIN_ERRORS = {
  401: ['missing_admin_token', 'invalid_admin_token'],
  429: ['too_many_auth_failures'],
};
const RULE_ID = { id: 'the alert rule id' };
/** A read key sees webhook URLs masked (`https://hooks.slack.com/***`), a manage key in full. */
const RULE_READERS: readonly Auth[] = ['readKey', 'manageKey'];
const PROJECT_ID = { projectId: 'the project id' };

const events: DocumentedOperation[] = [
  {
    method: 'post',
    path: '/v1/events',
    operationId: 'trackEvents',
    tag: 'events',
    summary: 'Send one event or a batch',
    description:
      'At most 500 events and 1 MiB per request, 32 KiB per event. A body that is not JSON or ' +
      'not one event or a batch is a `400`; each event is checked on its own, so an invalid ' +
      'event is listed in `rejected` (and in ' +
      '`GET /v1/rejected`) while the others are stored. `202` is sent only after JetStream ' +
      'confirmed storage; a `503` means nothing was stored. Retrying with the same event `id`s ' +
      'stores them once.',
    auth: 'writeKey',
    body: {
      schema: TrackRequestBody,
      examples: {
        one: { summary: 'One event', value: ex.TRACK_ONE },
        batch: {
          summary: 'A batch with a send time for clock-skew correction',
          value: ex.TRACK_BATCH,
        },
      },
    },
    responses: {
      202: { description: 'Stored; per-event outcome', content: json(TrackReply, ex.TRACK_REPLY) },
    },
    errors: {
      400: ['malformed_json', 'invalid_body', 'too_many_events', 'too_deep'],
      ...KEY_ERRORS,
      ...BODY_ERRORS,
      503: ['not_stored'],
    },
  },
];

const reads: DocumentedOperation[] = [
  {
    method: 'get',
    path: '/v1/metrics',
    operationId: 'getMetrics',
    tag: 'metrics',
    summary: 'A rollup series of count, unique users and revenue',
    description:
      'Buckets starting in `[from, to)`. Unique users are HyperLogLog unions across buckets; ' +
      'revenue is exact decimal strings per ISO 4217 currency.',
    auth: 'readKey',
    query: MetricsQueryParams,
    responses: {
      200: { description: 'The series', content: json(MetricsSeriesReply, ex.METRICS_REPLY) },
    },
    errors: {
      400: ['invalid_query', 'query_too_large'],
      ...KEY_ERRORS,
      429: [...KEY_ERRORS[429], 'too_many_queries'],
      503: ['query_unavailable'],
    },
  },
  {
    method: 'get',
    path: '/v1/rejected',
    operationId: 'listRejectedEvents',
    tag: 'metrics',
    summary: 'The newest rejected events, with reasons',
    auth: 'readKey',
    query: RejectedEventsParams,
    responses: {
      200: { description: 'Newest first', content: json(RejectedEventsReply, ex.REJECTED_REPLY) },
    },
    errors: { 400: ['invalid_query'], ...KEY_ERRORS, 503: ['rejected_unavailable'] },
  },
  {
    method: 'get',
    path: '/v1/live',
    operationId: 'streamLiveDeltas',
    tag: 'live',
    summary: 'Server-Sent Events of rollup deltas',
    description:
      'One `event: delta` per committed aggregator batch; its `data` is a JSON `RollupDelta` ' +
      '(`projectId`, `partition`, `seq`, `rows` of minute-bucket counts and revenue in ' +
      'micro-units). A `: ping` comment keeps idle streams open. Open streams are limited per ' +
      'key and per server (`429 too_many_streams`); a stream ends after its maximum lifetime or ' +
      'when its key is revoked, and the `retry:` line says when to reconnect.',
    auth: 'readKey',
    responses: {
      200: {
        description: 'The stream (stays open)',
        content: { type: 'text/event-stream', example: ex.LIVE_STREAM },
      },
    },
    errors: { ...KEY_ERRORS, 429: [...KEY_ERRORS[429], 'too_many_streams'] },
  },
];

const alerts: DocumentedOperation[] = [
  {
    method: 'get',
    path: '/v1/alerts',
    operationId: 'listAlertRules',
    tag: 'alerts',
    summary: "The project's alert rules, a page at a time",
    description:
      'Oldest first. A page holds at most `limit` rules, fewer when they are large; pass ' +
      '`nextCursor` as `cursor` for the next page (`null` on the last). A read key sees webhook ' +
      'URLs masked to their scheme and host.',
    auth: RULE_READERS,
    query: AlertRuleListParams,
    responses: {
      200: {
        description: 'The rules',
        content: json(AlertRuleListReply, { rules: [ex.ALERT_RULE], nextCursor: null }),
      },
    },
    errors: {
      400: ['invalid_query', 'invalid_cursor'],
      ...KEY_ERRORS,
      503: ['alerts_unavailable'],
    },
  },
  {
    method: 'post',
    path: '/v1/alerts',
    operationId: 'createAlertRule',
    tag: 'alerts',
    summary: 'Create an alert rule',
    description:
      'Durations are `"30s"`, `"5m"`, `"1h"`, `"1d"` or seconds; `window` is whole minutes up to ' +
      'a day. Webhook URLs that resolve to private addresses are refused. The signing secret is ' +
      'shown only in this answer. A project holds at most `ALERT_RULES_PER_PROJECT` rules ' +
      '(200 by default); one more is a `409 rule_limit_reached`.',
    auth: 'manageKey',
    body: {
      schema: AlertRuleBody,
      examples: { rule: { summary: 'A spike alert', value: ex.ALERT_BODY } },
    },
    responses: {
      201: { description: 'Created', content: json(AlertRuleCreatedReply, ex.ALERT_CREATED) },
    },
    errors: {
      400: ['malformed_json', 'invalid_rule', 'destination_refused'],
      ...KEY_ERRORS,
      ...BODY_ERRORS,
      409: ['rule_limit_reached'],
      503: ['alerts_unavailable'],
    },
  },
  {
    method: 'get',
    path: '/v1/alerts/{id}',
    operationId: 'getAlertRule',
    tag: 'alerts',
    summary: 'One alert rule',
    auth: RULE_READERS,
    pathParams: RULE_ID,
    responses: {
      200: { description: 'The rule', content: json(AlertRuleOneReply, { rule: ex.ALERT_RULE }) },
    },
    errors: { ...KEY_ERRORS, 404: ['not_found'], 503: ['alerts_unavailable'] },
  },
  {
    method: 'patch',
    path: '/v1/alerts/{id}',
    operationId: 'updateAlertRule',
    tag: 'alerts',
    summary: 'Change some fields of an alert rule',
    auth: 'manageKey',
    pathParams: RULE_ID,
    body: {
      schema: AlertRulePatchBody,
      examples: { threshold: { summary: 'Raise the threshold', value: ex.ALERT_PATCH } },
    },
    responses: {
      200: { description: 'The changed rule', content: json(AlertRuleOneReply, ex.ALERT_PATCHED) },
    },
    errors: {
      400: ['malformed_json', 'invalid_rule', 'destination_refused'],
      ...KEY_ERRORS,
      ...BODY_ERRORS,
      404: ['not_found'],
      503: ['alerts_unavailable'],
    },
  },
  {
    method: 'delete',
    path: '/v1/alerts/{id}',
    operationId: 'deleteAlertRule',
    tag: 'alerts',
    summary: 'Delete an alert rule',
    auth: 'manageKey',
    pathParams: RULE_ID,
    responses: { 204: { description: 'Deleted' } },
    errors: { ...KEY_ERRORS, 404: ['not_found'], 503: ['alerts_unavailable'] },
  },
  {
    method: 'get',
    path: '/v1/alerts/{id}/deliveries',
    operationId: 'listAlertDeliveries',
    tag: 'alerts',
    summary: "A rule's webhook deliveries, every attempt logged",
    auth: RULE_READERS,
    pathParams: RULE_ID,
    query: DeliveryLogParams,
    responses: {
      200: { description: 'Newest first', content: json(DeliveryLogListReply, ex.DELIVERIES) },
    },
    errors: {
      400: ['invalid_query'],
      ...KEY_ERRORS,
      404: ['not_found'],
      503: ['alerts_unavailable'],
    },
  },
];

const PROJECTS_DOWN = { 503: ['projects_unavailable'] };

const admin: DocumentedOperation[] = [
  {
    method: 'post',
    path: '/v1/admin/projects',
    operationId: 'createProject',
    tag: 'admin',
    summary: 'Create a project',
    auth: 'adminToken',
    body: {
      schema: CreateProjectBody,
      examples: { shop: { summary: 'A project', value: { name: 'My shop' } } },
    },
    responses: { 201: { description: 'Created', content: json(ProjectRecord, ex.PROJECT) } },
    errors: {
      400: ['malformed_json', 'invalid_body'],
      ...ADMIN_ERRORS,
      ...BODY_ERRORS,
      ...PROJECTS_DOWN,
    },
  },
  {
    method: 'get',
    path: '/v1/admin/projects',
    operationId: 'listProjects',
    tag: 'admin',
    summary: 'Every project',
    auth: 'adminToken',
    responses: {
      200: {
        description: 'Oldest first',
        content: json(ProjectListReply, { projects: [ex.PROJECT] }),
      },
    },
    errors: ADMIN_ERRORS,
  },
  {
    method: 'post',
    path: '/v1/admin/projects/{projectId}/keys',
    operationId: 'issueKey',
    tag: 'admin',
    summary: 'Issue a write or read key; the key is shown only here',
    auth: 'adminToken',
    pathParams: PROJECT_ID,
    body: {
      schema: IssueKeyBody,
      examples: { write: { summary: 'A write key', value: { kind: 'write' } } },
    },
    responses: { 201: { description: 'Issued', content: json(IssuedApiKey, ex.ISSUED_KEY) } },
    errors: {
      400: ['malformed_json', 'invalid_body'],
      ...ADMIN_ERRORS,
      404: ['project_not_found'],
      ...BODY_ERRORS,
      ...PROJECTS_DOWN,
    },
  },
  {
    method: 'get',
    path: '/v1/admin/projects/{projectId}/keys',
    operationId: 'listKeys',
    tag: 'admin',
    summary: "A project's keys, never the keys themselves",
    auth: 'adminToken',
    pathParams: PROJECT_ID,
    responses: { 200: { description: 'Oldest first', content: json(ApiKeyListReply, ex.KEYS) } },
    errors: { ...ADMIN_ERRORS, 404: ['project_not_found'] },
  },
  {
    method: 'delete',
    path: '/v1/admin/projects/{projectId}/keys/{keyId}',
    operationId: 'revokeKey',
    tag: 'admin',
    summary: 'Revoke a key on every gateway replica; repeating it is harmless',
    auth: 'adminToken',
    pathParams: { ...PROJECT_ID, keyId: 'the key id (`key_…`)' },
    responses: {
      200: { description: 'The revoked key', content: json(ApiKeySummary, ex.REVOKED_KEY) },
    },
    errors: { ...ADMIN_ERRORS, 404: ['project_not_found', 'key_not_found'], ...PROJECTS_DOWN },
  },
];

const operations: DocumentedOperation[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    tag: 'operations',
    summary: 'The process is alive',
    auth: 'none',
    responses: {
      200: {
        description: 'Alive',
        content: json(HealthReply, { ...ex.READY, info: {}, details: {} }),
      },
    },
    errors: {},
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    tag: 'operations',
    summary: 'NATS is reachable and the projects bucket is loaded',
    auth: 'none',
    responses: {
      200: { description: 'Ready', content: json(HealthReply, ex.READY) },
      503: {
        description: 'Not ready: the failing checks are `down`',
        content: json(HealthReply, ex.NOT_READY),
      },
    },
    errors: {},
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'prometheusMetrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    auth: 'none',
    responses: {
      200: {
        description: 'Prometheus text format',
        content: { type: 'text/plain', example: ex.PROMETHEUS_TEXT },
      },
    },
    errors: {},
  },
];

/** Every documented route of the gateway. A test fails when a `/v1` route is missing here. */
export const API_OPERATIONS: DocumentedOperation[] = [
  ...events,
  ...reads,
  ...alerts,
  ...admin,
  ...operations,
];
