import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
};

/** Turns every error into the API's machine-readable error body; never leaks internals. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ApiError) {
      void reply.status(exception.getStatus()).headers(exception.headers).send(exception.getResponse());
      return;
    }
    const { status, code, message } = describe(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    void reply.status(status).send({ error: { code, message } });
  }
}

function describe(exception: unknown): { status: number; code: string; message: string } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: status === 404 ? 'not_found' : 'http_error', message: exception.message };
  }
  const err = exception as FrameworkError;
  if (err.statusCode && err.statusCode < 500) {
    const code = FRAMEWORK_CODES[err.code ?? ''] ?? 'bad_request';
    return { status: err.statusCode, code, message: err.message ?? code };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}
