import type { EventType } from '@tally/contracts';
import { SDK_LIMITS } from './limits.js';
import type { QueuedEvent } from './sdk-types.js';

const KNOWN_TYPES = ['click', 'purchase', 'login', 'page_view', 'custom'] as const;
// NOTE: fails to compile when contracts gains an event type this list lacks.
const everyTypeKnown: Exclude<EventType, (typeof KNOWN_TYPES)[number]> extends never
  ? true
  : never = true;
void everyTypeKnown;

const encoder = new TextEncoder();

export type Prepared =
  { ok: true; event: QueuedEvent; bytes: number } | { ok: false; message: string };

/**
 * Light shape checks (the server validates fully and answers per event), then the stable
 * `id` and `timestamp` that make a retried batch dedupe instead of double counting.
 */
export function prepareEvent(input: unknown, now: Date = new Date()): Prepared {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('an event must be an object');
  }
  const raw = input as Record<string, unknown>;
  if (!KNOWN_TYPES.includes(raw.type as EventType)) {
    return fail(`type must be one of ${KNOWN_TYPES.join(', ')}`);
  }
  const type = raw.type as EventType;
  if (typeof raw.userId !== 'string' || raw.userId.length === 0) {
    return fail('userId must be a non-empty string');
  }
  if (raw.userId.length > SDK_LIMITS.maxUserIdLength) {
    return fail(`userId is longer than ${SDK_LIMITS.maxUserIdLength} characters`);
  }
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.length === 0)) {
    return fail('name must be a non-empty string');
  }
  if (type === 'custom' && raw.name === undefined) return fail('a custom event needs a name');
  const properties = raw.properties ?? {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    return fail('properties must be an object');
  }
  if (raw.id !== undefined && typeof raw.id !== 'string') return fail('id must be a string');
  const timestamp = timestampOf(raw.timestamp, now);
  if (timestamp === undefined) return fail('timestamp must be a Date or an ISO date string');

  const event: QueuedEvent = {
    ...raw,
    id: raw.id ?? crypto.randomUUID(),
    type,
    userId: raw.userId,
    timestamp,
    properties: properties as Record<string, unknown>,
  };
  const bytes = encoder.encode(JSON.stringify(event)).byteLength;
  if (bytes > SDK_LIMITS.maxEventBytes) {
    return fail(`the event is ${bytes} bytes, more than ${SDK_LIMITS.maxEventBytes}`);
  }
  return { ok: true, event, bytes };
}

function timestampOf(value: unknown, now: Date): string | undefined {
  if (value === undefined) return now.toISOString();
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) return undefined;
  return typeof value === 'string' ? value : date.toISOString();
}

function fail(message: string): Prepared {
  return { ok: false, message };
}
