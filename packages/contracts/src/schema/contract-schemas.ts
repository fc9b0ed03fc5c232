import { z } from 'zod';
import {
  AlertRuleReply,
  AlertRuleRequest,
  AlertWebhookPayload,
  DeliveryLogQuery,
  DeliveryLogReply,
} from '../alerts.js';
import { EventBatchBody, StoredEvent, TrackedEvent } from '../events.js';
import {
  IngestReply,
  INGEST_REQUEST_HEADERS,
  IngestRequestHeaders,
  MetricsQuery,
  MetricsReply,
  RejectedEvent,
  RollupDelta,
  StoredEventBatch,
} from '../messages.js';
import { ApiKeyRecord, ProjectRecord } from '../projects.js';
import { RateLimitUsage } from '../rate-limits.js';
import { CONTRACTS_VERSION } from '../version.js';

/** Every contract that is published as JSON Schema, by name. */
export const CONTRACT_SCHEMAS = {
  TrackedEvent,
  EventBatchBody,
  StoredEvent,
  IngestRequestHeaders,
  IngestReply,
  StoredEventBatch,
  RejectedEvent,
  RollupDelta,
  MetricsQuery,
  MetricsReply,
  ProjectRecord,
  ApiKeyRecord,
  AlertRuleRequest,
  AlertRuleReply,
  DeliveryLogQuery,
  DeliveryLogReply,
  AlertWebhookPayload,
  RateLimitUsage,
} as const;

export type JsonSchema = Record<string, unknown>;

/** Contracts whose fields travel as NATS headers: field → header name, per message. */
export const CONTRACT_HEADERS = {
  IngestRequestHeaders: INGEST_REQUEST_HEADERS,
} as const;

export interface ContractsDocument {
  version: number;
  messages: Record<string, JsonSchema>;
  headers: Record<string, Record<string, string>>;
}

export function contractsJsonSchema(): ContractsDocument {
  const messages: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(CONTRACT_SCHEMAS)) {
    messages[name] = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  }
  return { version: CONTRACTS_VERSION, messages, headers: CONTRACT_HEADERS };
}

export function schemaFileName(version: number): string {
  return `contracts.v${version}.schema.json`;
}
