import type { ApiErrorBody } from '@tally/contracts';
import { Counter, Gauge } from 'prom-client';
import type { ApiError } from './api-error.js';

/** Connections the gateway holds open right now. */
export const openConnections = new Gauge({
  name: 'tally_gateway_http_connections_open',
  help: 'HTTP connections the gateway holds open',
});

/** Connections refused because the gateway already held `HTTP_MAX_CONNECTIONS`. */
export const refusedConnections = new Counter({
  name: 'tally_gateway_http_connections_refused_total',
  help: 'HTTP connections closed on arrival because the gateway held HTTP_MAX_CONNECTIONS',
});

/** Connections the gateway closed because the client was too slow or silent. */
export const timedOutConnections = new Counter({
  name: 'tally_gateway_http_connections_closed_total',
  help:
    'HTTP connections the gateway closed because the client was too slow: request_timeout ' +
    '(headers or body not received in time), idle (nothing sent or received for too long)',
  labelNames: ['reason'] as const,
});

/** Requests refused before any route ran, by error code. */
export const refusedRequests = new Counter({
  name: 'tally_gateway_http_requests_refused_total',
  help:
    "Requests refused before reaching a route, by error code: by Node's HTTP parser " +
    '(headers_too_large, malformed_request, request_timeout), the router (bad_url, url_too_long) ' +
    'or the gateway (invalid_characters, unsupported_encoding, invalid_encoding, ' +
    'unsupported_media_type, shutting_down)',
  labelNames: ['code'] as const,
});

/** Counts `error` in `tally_gateway_http_requests_refused_total`. */
export function countRefusal(error: ApiError): void {
  refusedRequests.inc({ code: (error.getResponse() as ApiErrorBody).error.code });
}
