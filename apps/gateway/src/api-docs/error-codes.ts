import { INGEST_LIMITS, type ApiErrorBody } from '@tally/contracts';

/** The error statuses the gateway answers with, and what each means. */
export const ERROR_STATUSES = {
  400: 'The request is invalid',
  401: 'No credentials, or unknown or revoked ones',
  403: 'A key of the wrong kind',
  404: 'No such resource in this project',
  408: 'The headers or the body did not arrive in time; the connection is closed',
  409: 'The project is at a limit (e.g. its number of alert rules)',
  413: `The body exceeds its route's limit: ${INGEST_LIMITS.maxBodyBytes} bytes for POST /v1/events, HTTP_MAX_BODY_BYTES (65536 by default) for the others`,
  414: 'A path segment is too long',
  415: 'The body is not application/json, or is in an encoding other than gzip, deflate or br',
  429: 'Too many requests for this key, or too many failed authentications from this address; wait for Retry-After',
  431: 'The request headers are too large; the connection is closed',
  503: 'A service or NATS did not answer, or the gateway is shutting down (shutting_down); nothing was changed, retry after Retry-After',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** A realistic message per error code, as the gateway words it. */
const EXAMPLE_MESSAGES: Record<string, string> = {
  malformed_json: 'Unexpected end of JSON input',
  invalid_body: 'the batch envelope is invalid',
  too_many_events: `at most ${INGEST_LIMITS.maxEventsPerBatch} events per request`,
  too_deep: `arrays and objects may nest at most ${INGEST_LIMITS.maxNestingDepth} levels`,
  invalid_query: 'invalid query parameters',
  query_too_large:
    'the query covers 1440 minute buckets × 10 series = 14400 points; at most 10000: use a ' +
    'coarser granularity, a shorter range or fewer series (top, name)',
  too_many_queries:
    'the project already has 2 queries running and 64 waiting on this replica; retry later or ' +
    'send fewer queries at once',
  invalid_rule: 'invalid alert rule',
  destination_refused: 'webhook URL resolves to a private address',
  rule_limit_reached: 'this project already has 200 alert rules, the most allowed',
  invalid_cursor: 'the cursor does not point into this list',
  missing_key: 'send "Authorization: Bearer <key>"',
  invalid_key: 'unknown or revoked key',
  wrong_key_kind: 'this endpoint needs a write key',
  missing_admin_token: 'send "Authorization: Bearer <admin token>"',
  invalid_admin_token: 'wrong admin token',
  not_found: 'no alert rule 9b2f0c4e-5d1a-4f7e-8c3b-2a6d9e1f0b47',
  project_not_found: 'no project 3f9c1a0b7d2e4c55',
  key_not_found: 'project has no key key_5e0d6f1a2b3c4d5e',
  body_too_large: 'Request body is too large',
  unsupported_media_type: 'send the body as application/json',
  unsupported_encoding:
    'send the body uncompressed or in one of these encodings: gzip, x-gzip, deflate, br',
  invalid_encoding: 'the body is not valid gzip data',
  invalid_characters: 'the query holds a control character',
  bad_url: 'the URL is not valid percent-encoded UTF-8',
  malformed_request: 'the request is not valid HTTP/1.1',
  request_timeout: 'the request headers or body did not arrive in time',
  url_too_long: 'a path segment is longer than 100 characters',
  headers_too_large: 'the request headers exceed 16384 bytes',
  rate_limited: 'this key is over its rate limit of 1000 events/s',
  too_many_streams: 'this key already has 20 open streams on this server',
  too_many_auth_failures: 'too many failed authentications from this address',
  not_stored: 'ingest did not answer; nothing was stored, retry',
  query_unavailable: 'the query service did not answer',
  alerts_unavailable: 'the alert service did not answer',
  rejected_unavailable: 'the rejected-events stream (NATS JetStream) did not answer',
  projects_unavailable: 'the projects store (NATS KV) did not answer',
};

/** Codes whose body lists details: one entry per invalid field, or when to retry. */
const DETAILS: Record<string, Array<Record<string, unknown> & { message: string }>> = {
  invalid_body: [{ path: 'events', message: 'Invalid input: expected array, received object' }],
  invalid_query: [{ param: 'from', message: 'Invalid ISO datetime' }],
  invalid_rule: [{ path: 'window', message: 'must be whole minutes' }],
  rate_limited: [{ message: 'retry in 1 s', retryAfterSeconds: 1 }],
  too_many_streams: [{ message: 'close one of its streams first', scope: 'key', limit: 20 }],
  too_many_auth_failures: [{ message: 'retry in 6 s', retryAfterSeconds: 6 }],
  query_too_large: [
    { message: 'at most 10000 points', buckets: 1440, series: 10, points: 14400, maxPoints: 10000 },
  ],
  too_many_queries: [{ message: 'retry in 1 s', retryAfterSeconds: 1, concurrency: 2, queue: 8 }],
  invalid_characters: [
    { in: 'query', message: 'NUL, other control characters and DEL are not allowed' },
  ],
};

/**
 * What any `/v1` request can be refused with before its route runs: by Node's HTTP parser, the
 * router, the timeouts, the control-character check or the body decoder
 * (`apps/gateway/src/http/`).
 */
export const EDGE_ERRORS: Partial<Record<ErrorStatus, string[]>> = {
  400: ['invalid_characters', 'bad_url', 'malformed_request', 'invalid_encoding'],
  408: ['request_timeout'],
  414: ['url_too_long'],
  431: ['headers_too_large'],
};

export function errorExample(code: string): ApiErrorBody {
  const message = EXAMPLE_MESSAGES[code];
  if (message === undefined) throw new Error(`no example message for error code ${code}`);
  const details = DETAILS[code];
  return { error: { code, message, ...(details ? { details } : {}) } };
}
