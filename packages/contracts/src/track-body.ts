import { isStorableText } from './event-content.js';
import { EventBatchBody } from './events.js';
import { INGEST_LIMITS } from './limits.js';
import type { ErrorInfo } from './messages.js';
import { nestsDeeperThan } from './nesting-depth.js';

export type ParsedTrackBody =
  | {
      ok: true;
      batch: EventBatchBody;
      /**
       * The body's text has no `\u` escape, no NUL or lone surrogate and no reserved key name, so
       * none of its events can carry what `TrackedEvent` checks before the fields: they may be
       * checked with `TrackedEventFields` alone.
       */
      plainText: boolean;
    }
  | { ok: false; error: ErrorInfo };

/** What could hide unstorable text or a reserved key (`\u005f_proto__` is `__proto__` too). */
const HOSTILE_HINT = /\\u|__proto__|constructor|prototype/;

const decoder = new TextDecoder();

/**
 * Reads a `POST /v1/events` body, one event or `{ events, sentAt? }`, into its batch form, or
 * says why the whole body is refused (the `error` of a 400). Events themselves are checked one
 * by one later (`TrackedEvent`), so one bad event never sinks the batch. `undefined` is a
 * request without a body. A key that could pollute prototypes (`__proto__`) is a plain own key
 * after `JSON.parse`: inside an event it is that event's rejection (`TrackedEvent`); beside
 * `events` it is dropped with every other unknown envelope key.
 */
export function parseTrackBody(text: Uint8Array | string | undefined): ParsedTrackBody {
  let read: { json: string; body: unknown };
  try {
    read = text === undefined ? { json: '', body: undefined } : readJson(text);
  } catch (err) {
    return refuse('malformed_json', err instanceof Error ? err.message : 'the body is not JSON');
  }
  const { json, body } = read;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('invalid_body', 'body must be one event or { "events": [...] }');
  }
  if (nestsDeeperThan(body, INGEST_LIMITS.maxNestingDepth)) {
    const levels = INGEST_LIMITS.maxNestingDepth;
    return refuse('too_deep', `arrays and objects may nest at most ${levels} levels`);
  }
  const plainText = !HOSTILE_HINT.test(json) && isStorableText(json);
  if (!('events' in body)) return { ok: true, batch: { events: [body] }, plainText };
  if (Array.isArray(body.events) && body.events.length > INGEST_LIMITS.maxEventsPerBatch) {
    const max = INGEST_LIMITS.maxEventsPerBatch;
    return refuse('too_many_events', `at most ${max} events per request`);
  }
  const parsed = EventBatchBody.safeParse(body);
  if (parsed.success) return { ok: true, batch: parsed.data, plainText };
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return refuse('invalid_body', 'the batch envelope is invalid', details);
}

/**
 * How many events a body holds, read exactly as `parseTrackBody` reads it (a byte-order mark,
 * say, cannot make the two disagree) but before any check: a list longer than allowed counts
 * in full. `undefined` when the body is not JSON.
 */
export function countTrackEvents(text: Uint8Array | string): number | undefined {
  let body: unknown;
  try {
    body = readJson(text).body;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('events' in body)) return 1;
  return Array.isArray(body.events) ? body.events.length : 1;
}

/**
 * NOTE: plain `JSON.parse` on purpose: it makes `__proto__` an own key, never a prototype, so a
 * hostile key can be refused with its event alone (a secure-json-parse error sank the batch).
 * Nothing may copy raw events key by key before `TrackedEvent` has checked them.
 */
function readJson(text: Uint8Array | string): { json: string; body: unknown } {
  // The decoder drops a leading byte-order mark; a string gets the same treatment.
  const json = typeof text === 'string' ? text.replace(/^\uFEFF/, '') : decoder.decode(text);
  return { json, body: JSON.parse(json) };
}

function refuse(code: string, message: string, details?: ErrorInfo['details']): ParsedTrackBody {
  return { ok: false, error: details ? { code, message, details } : { code, message } };
}
