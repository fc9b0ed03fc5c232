import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiError, writeApiError } from './api-error.js';

// NOTE: C0 controls and DEL. NUL makes Postgres refuse a query (a 500 in the services behind
// the gateway); CR and LF split log lines. Node's HTTP parser already refuses them in header
// values (a 400 from `clientErrorHandler`), so only the path and query string are checked.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses, with `400 invalid_characters`, any request whose decoded path or query string holds
 * a control character, so no route and no service has to defend against
 * them (issue 12, finding 9). Bodies are the routes' own business.
 */
@Injectable()
export class RequestCharactersMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const where = controlCharacterIn(req);
    if (where === undefined) {
      next();
      return;
    }
    writeApiError(
      res,
      new ApiError(400, 'invalid_characters', `the ${where} holds a control character`, [
        { in: where, message: 'NUL, other control characters and DEL are not allowed' },
      ]),
    );
  }
}

function controlCharacterIn(req: IncomingMessage): 'path' | 'query' | undefined {
  // NOTE: middleware may see `req.url` with its matched path stripped; `originalUrl` is whole.
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (CONTROL.test(decoded(path))) return 'path';
  if (queryAt >= 0) {
    for (const [name, value] of new URLSearchParams(url.slice(queryAt + 1))) {
      if (CONTROL.test(name) || CONTROL.test(value)) return 'query';
    }
  }
  return undefined;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // NOTE: Fastify refuses a path that does not decode (400 bad_url) before routing.
    return path;
  }
}
