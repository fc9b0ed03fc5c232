import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ApiError, sendApiError } from '../http/api-error.js';
import { countErrorAnswer } from '../http/api-error.filter.js';
import { CredentialCheck } from './credential-check.js';
import { credentialOf } from './route-credential.js';

/**
 * Checks the credential of every route that declares one (`@RateLimited`, `@AdminOnly`) from the
 * headers, before the body is read, so a client without a valid key or admin token cannot make
 * the gateway wait for or buffer a body (issue 12, finding 3). Refusals close the connection.
 */
@Injectable()
export class CredentialsBeforeBody implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly check: CredentialCheck,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    // NOTE: `onRequest` is the last hook before Fastify touches the body (`preParsing` decodes it).
    fastify.addHook('onRequest', (request, reply, done) => {
      const required = credentialOf(request);
      if (!required) {
        done();
        return;
      }
      try {
        this.check.admit(request, required);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        // A route's answer, counted like those of its guards before (decision 30).
        countErrorAnswer(err);
        // NOTE: closing the connection spares Node reading and discarding the unread body.
        sendApiError(reply, err, { connection: 'close' });
        return;
      }
      done();
    });
  }
}
