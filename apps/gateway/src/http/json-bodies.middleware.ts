import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiError } from './api-error.js';

const UNSUPPORTED = new ApiError(
  415,
  'unsupported_media_type',
  'send the body as application/json',
);

/**
 * The public API reads JSON only. Nest's Fastify adapter also parses form bodies, which would
 * turn `type=click&userId=u` into an event; a body of any other type is refused with 415 before
 * it is parsed.
 * NOTE: middleware sees the raw Node response, so it answers itself rather than throwing into
 * the exception filter, which writes through Fastify's reply.
 */
@Injectable()
export class JsonBodiesMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const contentType = req.headers['content-type'];
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || !!req.headers['transfer-encoding'];
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if ((contentType !== undefined || hasBody) && mediaType !== 'application/json') {
      res.writeHead(UNSUPPORTED.getStatus(), { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(UNSUPPORTED.getResponse()));
      return;
    }
    next();
  }
}
