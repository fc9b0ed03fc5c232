import type { ServerResponse } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { ErrorInfo } from '@tally/contracts';
import type { FastifyReply } from 'fastify';
import { countRefusal } from './http-edge.metrics.js';

/** The one error shape of the public API: `{ error: { code, message, details? } }`. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    code: string,
    message: string,
    details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
  }
}

/** The `400` of a `POST /v1/events` body that `parseTrackBody` refused. */
export function invalidBody({ code, message, details }: ErrorInfo): ApiError {
  return new ApiError(400, code, message, details);
}

/**
 * Writes `error` on a raw Node response: middleware runs before Fastify's reply exists, so it
 * answers itself rather than throwing into the exception filter. Counted as a refusal before
 * routing (`tally_gateway_http_requests_refused_total`).
 */
export function writeApiError(
  res: ServerResponse,
  error: ApiError,
  headers: Record<string, string> = {},
): void {
  countRefusal(error);
  const body = JSON.stringify(error.getResponse());
  res.writeHead(error.getStatus(), {
    ...error.headers,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Sends `error` from a Fastify hook, which runs before the route's exception filter, with
 * `headers` added. NOTE: the caller counts it, as a refusal at the edge or a route's answer.
 */
export function sendApiError(
  reply: FastifyReply,
  error: ApiError,
  headers: Record<string, string> = {},
): void {
  void reply
    .code(error.getStatus())
    .headers({ ...error.headers, ...headers })
    .send(error.getResponse());
}
