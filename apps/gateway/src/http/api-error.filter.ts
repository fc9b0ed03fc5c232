import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Counter } from 'prom-client';
import type { ApiErrorBody } from '@tally/contracts';
import { ApiError } from './api-error.js';

interface FrameworkError {
  statusCode?: number;
  message?: string;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
};

const errorAnswers = new Counter({
  name: 'tally_gateway_http_errors_total',
  help: 'Error answers of the routes (after the edge), by status and error code',
  labelNames: ['status', 'code'] as const,
});

/** Counts an error answer of a route given outside this filter (a route hook's). */
export function countErrorAnswer(error: ApiError): void {
  const { code } = (error.getResponse() as ApiErrorBody).error;
  errorAnswers.inc({ status: String(error.getStatus()), code });
}

/** Turns every error into the API's machine-readable error body; never leaks internals. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ApiError) {
      countErrorAnswer(exception);
      void reply
        .status(exception.getStatus())
        .headers(exception.headers)
        .send(exception.getResponse());
      return;
    }
    // NOTE: terminus refuses an unready /readyz with a 503 carrying the checks: keep both.
    if (exception instanceof HttpException && exception.getStatus() === 503) {
      errorAnswers.inc({ status: '503', code: 'not_ready' });
      void reply.status(503).send(exception.getResponse());
      return;
    }
    const { status, code, message } = describe(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    errorAnswers.inc({ status: String(status), code });
    void reply.status(status).send({ error: { code, message } });
  }
}

function describe(exception: unknown): { status: number; code: string; message: string } {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : ((exception as FrameworkError).statusCode ?? 500);
  if (status < 500) {
    const message = (exception as FrameworkError).message ?? 'bad request';
    // NOTE: Fastify's JSON parse failure reaches us as a plain 400; its message is the tell.
    const code = status === 400 && /JSON/.test(message) ? 'malformed_json' : STATUS_CODES[status];
    return { status, code: code ?? 'client_error', message };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}
