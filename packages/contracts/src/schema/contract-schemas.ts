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

export interface ContractsDocument {
  version: number;
  messages: Record<string, JsonSchema>;
}

export function contractsJsonSchema(): ContractsDocument {
  const messages: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(CONTRACT_SCHEMAS)) {
    messages[name] = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  }
  return { version: CONTRACTS_VERSION, messages };
}

export function schemaFileName(version: number): string {
  return `contracts.v${version}.schema.json`;
}
