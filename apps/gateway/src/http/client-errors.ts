import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from './api-error.js';
import { countRefusal, timedOutConnections } from './http-edge.metrics.js';

/** Fastify's longest path parameter (its default); a longer one is a `414`. */
export const MAX_PARAM_LENGTH = 100;

const PARSER_ERRORS: Record<string, ApiError> = {
  ERR_HTTP_REQUEST_TIMEOUT: new ApiError(
    408,
    'request_timeout',
    'the request headers or body did not arrive in time',
  ),
  HPE_HEADER_OVERFLOW: new ApiError(
    431,
    'headers_too_large',
    `the request headers exceed ${maxHeaderSize} bytes`,
  ),
};
const MALFORMED = new ApiError(400, 'malformed_request', 'the request is not valid HTTP/1.1');

const FRAMEWORK_ERRORS: Record<string, ApiError> = {
  FST_ERR_BAD_URL: new ApiError(400, 'bad_url', 'the URL is not valid percent-encoded UTF-8'),
  FST_ERR_MAX_PARAM_LENGTH: new ApiError(
    414,
    'url_too_long',
    `a path segment is longer than ${MAX_PARAM_LENGTH} characters`,
  ),
};

/**
 * Answers what Node's HTTP parser refuses before any route sees it (headers too large, a
 * malformed or ambiguous request such as two `Content-Length`s, a request not received within
 * `HTTP_HEADERS_TIMEOUT_MS`/`HTTP_REQUEST_TIMEOUT_MS`) in the API's error shape, then closes
 * the connection: after a parser error nothing more on it can be read safely.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = PARSER_ERRORS[err.code ?? ''] ?? MALFORMED;
  if (error.getStatus() === 408) timedOutConnections.inc({ reason: 'request_timeout' });
  countRefusal(error);
  if (socket.writable) socket.write(rawResponse(error));
  socket.destroy();
}

/** Fastify's own refusal before routing (a URL that does not decode, a too long segment). */
export function frameworkError(code: string): ApiError {
  const error =
    FRAMEWORK_ERRORS[code] ?? new ApiError(400, 'bad_request', 'the request was refused');
  countRefusal(error);
  return error;
}

function rawResponse(error: ApiError): string {
  const body = JSON.stringify(error.getResponse());
  const status = error.getStatus();
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
    `Content-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
