import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiKeys } from '../auth/api-keys.js';
import { clientAddress } from '../auth/client-address.js';
import { ApiError, writeApiError } from '../http/api-error.js';

/**
 * Checks the write key of `POST /v1/events` from the headers, before the body is read, so a
 * client without a valid key cannot make the gateway wait for or buffer up to 1 MiB (issue 12,
 * finding 3). The rate-limit guard checks the key again once the body is there; a hash lookup
 * costs far less than a megabyte held.
 */
@Injectable()
export class TrackKeyMiddleware implements NestMiddleware {
  constructor(private readonly keys: ApiKeys) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    try {
      this.keys.grantFor(req.headers.authorization, ['write'], clientAddress(req));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // NOTE: closing the connection spares Node reading and discarding the unread body.
      writeApiError(res, err, { connection: 'close' });
      return;
    }
    next();
  }
}
