export { INGEST_LIMITS } from './limits.js';
export {
  GRANULARITY_MS,
  QUERY_LIMITS,
  QUERY_ERROR_CODES,
  metricsQueryCost,
  overLimitMessage,
  seriesCap,
  type MetricsQueryCost,
} from './query-cost.js';
export { countTrackEvents, parseTrackBody, type ParsedTrackBody } from './track-body.js';
export {
  EVENT_TYPES,
  type EventType,
  TrackedEvent,
  TrackedEventFields,
  EventBatchBody,
  StoredEvent,
  eventErrors,
} from './events.js';
export { isStorableText } from './event-content.js';
export {
  EventError,
  EventRejection,
  ErrorInfo,
  INGEST_REQUEST_HEADERS,
  IngestRequestHeaders,
  IngestReply,
  StoredEventBatch,
  RejectedEvent,
  GRANULARITIES,
  Granularity,
  RollupDelta,
  MetricsQuery,
  METRICS_QUERY_HEADERS,
  QUERY_CLASSES,
  type QueryClass,
  MetricsPoint,
  MetricsReply,
} from './messages.js';
export {
  PROJECTS_BUCKET,
  KEY_KINDS,
  KeyKind,
  ProjectId,
  ProjectRecord,
  ApiKeyRecord,
} from './projects.js';
export {
  ALERT_METRICS,
  ALERT_COMPARISONS,
  ALERT_STATES,
  ALERT_ERROR_CODES,
  ALERT_LIST_LIMITS,
  AlertRuleCursor,
  WEBHOOK_FORMATS,
  DELIVERY_STATUSES,
  AlertDestination,
  AlertRuleInput,
  AlertRulePatch,
  AlertRule,
  AlertRuleRequest,
  AlertRuleReply,
  DeliveryLogQuery,
  DeliveryAttempt,
  Delivery,
  DeliveryLogReply,
  AlertWebhookPayload,
} from './alerts.js';
export {
  ApiErrorBody,
  TrackRequestBody,
  TrackReply,
  MetricsQueryParams,
  MetricsSeriesReply,
  REJECTED_LIMITS,
  RejectedEventsParams,
  RejectedEventItem,
  RejectedEventsReply,
  AlertRuleBody,
  AlertRulePatchBody,
  AlertRuleCreatedReply,
  AlertRuleOneReply,
  AlertRuleListParams,
  AlertRuleListReply,
  DeliveryLogParams,
  DeliveryLogListReply,
  CreateProjectBody,
  IssueKeyBody,
  ProjectListReply,
  ApiKeySummary,
  IssuedApiKey,
  ApiKeyListReply,
  HealthReply,
} from './http-api.js';
export { RateLimitUsage } from './rate-limits.js';
export { SUBJECTS, STREAMS, QUEUE_GROUPS, DEAD_LETTER_HEADERS } from './subjects.js';
export { CONTRACTS_VERSION } from './version.js';
export { CONTRACT_SCHEMAS, contractsJsonSchema } from './schema/contract-schemas.js';
