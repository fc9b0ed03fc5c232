import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError, sendApiError } from './api-error.js';
import { countRefusal } from './http-edge.metrics.js';

/**
 * Answers a request that arrives while the gateway closes (on a connection still busy with an
 * earlier request) with `503 shutting_down` in the API's error shape, where Fastify would answer
 * its own shape (`return503OnClosing`, turned off in `gatewayServerOptions`). Fastify already
 * closes such a connection after the answer.
 * NOTE: added in the constructor so that it runs before the credential check, whose hook is
 * added in `onModuleInit`.
 */
@Injectable()
export class ShuttingDown {
  private closing = false;

  constructor(host: HttpAdapterHost, config: ConfigService<GatewayConfig, true>) {
    // NOTE: the `Retry-After` of every 503 (`RETRY_AFTER_SECONDS`); by then on another replica.
    const refusal = new ApiError(
      503,
      'shutting_down',
      'this gateway is shutting down; retry on another replica',
      undefined,
      { 'Retry-After': String(config.get('retryAfterSeconds', { infer: true })) },
    );
    const fastify = host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preClose', (done) => {
      this.closing = true;
      done();
    });
    fastify.addHook('onRequest', (_request, reply, done) => {
      if (!this.closing) {
        done();
        return;
      }
      countRefusal(refusal);
      sendApiError(reply, refusal);
    });
  }
}
