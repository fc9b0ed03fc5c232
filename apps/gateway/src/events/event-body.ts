import { EventBatchBody, INGEST_LIMITS } from '@tally/contracts';
import { ApiError } from '../http/api-error.js';
import { nestsDeeperThan } from './nesting-depth.js';

/** Accepts one event or `{ events, sentAt? }` and returns the batch form. */
export function toEventBatch(body: unknown): EventBatchBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_body', 'body must be one event or { "events": [...] }');
  }
  if (nestsDeeperThan(body, INGEST_LIMITS.maxNestingDepth)) {
    throw new ApiError(
      400,
      'too_deep',
      `arrays and objects may nest at most ${INGEST_LIMITS.maxNestingDepth} levels`,
    );
  }
  if (!('events' in body)) return { events: [body] };
  const events = body.events;
  if (Array.isArray(events) && events.length > INGEST_LIMITS.maxEventsPerBatch) {
    throw new ApiError(
      400,
      'too_many_events',
      `at most ${INGEST_LIMITS.maxEventsPerBatch} events per request`,
    );
  }
  const parsed = EventBatchBody.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    }));
    throw new ApiError(400, 'invalid_body', 'the batch envelope is invalid', details);
  }
  return parsed.data;
}
