import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiError, writeApiError } from './api-error.js';
import { contentEncodingOf, DECODABLE_ENCODINGS } from './body-encodings.js';

const UNSUPPORTED_TYPE = new ApiError(
  415,
  'unsupported_media_type',
  'send the body as application/json',
);
const UNSUPPORTED_ENCODING = new ApiError(
  415,
  'unsupported_encoding',
  `send the body uncompressed or in one of these encodings: ${DECODABLE_ENCODINGS.join(', ')}`,
);

/**
 * The public API reads JSON only, plain or compressed. Nest's Fastify adapter also parses form
 * bodies, which would turn `type=click&userId=u` into an event; a body of any other type is
 * refused with 415 before it is parsed. A body in a `Content-Encoding` the gateway does not
 * decode (`EncodedBodies` decodes the others) is refused too, rather than read as if it were
 * plain (issue 12, finding 14).
 */
@Injectable()
export class JsonBodiesMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const refusal = refusalOf(req);
    if (refusal) writeApiError(res, refusal);
    else next();
  }
}

function refusalOf(req: IncomingMessage): ApiError | undefined {
  const contentType = req.headers['content-type'];
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || !!req.headers['transfer-encoding'];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if ((contentType !== undefined || hasBody) && mediaType !== 'application/json') {
    return UNSUPPORTED_TYPE;
  }
  const encoding = contentEncodingOf(req.headers);
  if (hasBody && encoding !== undefined && !DECODABLE_ENCODINGS.includes(encoding)) {
    return UNSUPPORTED_ENCODING;
  }
  return undefined;
}
