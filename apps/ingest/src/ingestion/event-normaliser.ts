import { createHash, randomUUID } from 'node:crypto';
import {
  eventErrors,
  INGEST_LIMITS,
  TrackedEvent,
  TrackedEventFields,
  type EventError,
  type StoredEvent,
} from '@tally/contracts';

export interface NormaliseContext {
  projectId: string;
  /** Server receive time, epoch ms. */
  receivedAt: number;
  /** The client's send time of the whole batch, if it said. */
  sentAt?: string;
  maxAgeMs: number;
  maxFutureMs: number;
  /** Size of the request's text as received; when it is under the event limit, so is every event. */
  requestBytes?: number;
  /** The request's text was plain (`ParsedTrackBody.plainText`): its events need no content walk. */
  plainText?: boolean;
}

/**
 * Event times the rollups can hold: Postgres takes no year 0 and no ISO years beyond 9999 (the
 * aggregator sends buckets as ISO text). The configured window keeps times well inside unless
 * it is set to thousands of years, so this only guards the promise of a `202`.
 */
const STORABLE_TIME = {
  min: Date.parse('0001-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
};

export type Normalised = { ok: true; event: StoredEvent } | { ok: false; errors: EventError[] };

/**
 * Validates one raw event and turns it into what the event stream stores: an id (see
 * `fallbackId` for events sent without one), the event
 * time corrected for the client's clock skew, its rollup dimension and its revenue.
 */
export function normaliseEvent(raw: unknown, index: number, ctx: NormaliseContext): Normalised {
  if (mayBeTooLarge(ctx) && jsonBytes(raw) > INGEST_LIMITS.maxEventBytes) {
    return reject('', 'too_large', `event exceeds ${INGEST_LIMITS.maxEventBytes} bytes`);
  }
  const parsed = (ctx.plainText ? TrackedEventFields : TrackedEvent).safeParse(raw);
  if (!parsed.success) return { ok: false, errors: eventErrors(parsed.error.issues) };
  const event = parsed.data;
  const timestamp = eventTime(event.timestamp, ctx);
  if (timestamp > ctx.receivedAt + ctx.maxFutureMs) {
    return reject('timestamp', 'timestamp_in_future', 'event time is too far in the future');
  }
  if (timestamp < ctx.receivedAt - ctx.maxAgeMs) {
    return reject('timestamp', 'timestamp_too_old', 'event time is older than the accepted window');
  }
  if (timestamp < STORABLE_TIME.min || timestamp > STORABLE_TIME.max) {
    return reject('timestamp', 'timestamp_out_of_range', 'event time is outside years 1 to 9999');
  }
  return {
    ok: true,
    event: {
      id: event.id ?? fallbackId(event.timestamp, ctx, index, JSON.stringify(raw)),
      type: event.type,
      dimension: dimensionOf(event),
      userId: event.userId,
      timestamp,
      receivedAt: ctx.receivedAt,
      ...(event.type === 'purchase'
        ? {
            revenue: {
              currency: event.properties.currency,
              amountMicros: Math.round(event.properties.amount * 1_000_000),
            },
          }
        : {}),
    },
  };
}

/**
 * The limit is on an event's JSON text. In a request whose whole text is no larger, no event's
 * text can be, so most requests have no event serialised just to be measured; in a larger one an
 * event is measured as `JSON.stringify` writes it, which can differ from the client's own text
 * (whitespace, number notation such as `1e20`).
 */
function mayBeTooLarge(ctx: NormaliseContext): boolean {
  return ctx.requestBytes === undefined || ctx.requestBytes > INGEST_LIMITS.maxEventBytes;
}

function jsonBytes(raw: unknown): number {
  return Buffer.byteLength(JSON.stringify(raw) ?? 'null');
}

/** Segment's skew correction: shift the client's timestamp by (receivedAt - sentAt). */
function eventTime(timestamp: string | undefined, ctx: NormaliseContext): number {
  if (timestamp === undefined) return ctx.receivedAt;
  const skew = ctx.sentAt === undefined ? 0 : ctx.receivedAt - Date.parse(ctx.sentAt);
  return Date.parse(timestamp) + skew;
}

/** The rollup dimension: an explicit name, else the type's natural breakdown. */
export function dimensionOf(event: TrackedEvent): string {
  if (event.name !== undefined) return event.name;
  switch (event.type) {
    case 'click':
      return event.properties.element ?? '';
    case 'page_view':
      return event.properties.path;
    case 'login':
      return event.properties.method;
    case 'purchase':
    case 'custom':
      return '';
  }
}

/**
 * An event without an id gets one derived from its content when something pins it down, so a
 * retried request dedupes: its own timestamp (then sentAt is left out, since SDKs refresh it on
 * every attempt), else the batch's sentAt. Without either, two identical events cannot be told
 * from a retry, and we would rather count both.
 */
function fallbackId(
  timestamp: string | undefined,
  ctx: NormaliseContext,
  index: number,
  json: string,
): string {
  if (timestamp !== undefined) return derivedId(ctx.projectId, '', index, json);
  if (ctx.sentAt !== undefined) return derivedId(ctx.projectId, ctx.sentAt, index, json);
  return randomUUID();
}

function derivedId(projectId: string, sentAt: string, index: number, json: string): string {
  const hex = createHash('sha256')
    .update(`${projectId}\u0000${sentAt}\u0000${index}\u0000${json}`)
    .digest('hex');
  // RFC 9562 version 8 (custom) UUID with the variant bits set.
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function reject(path: string, code: string, message: string): Normalised {
  return { ok: false, errors: [{ path, code, message }] };
}
