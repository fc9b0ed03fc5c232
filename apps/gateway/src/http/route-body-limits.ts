import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { INGEST_LIMITS } from '@tally/contracts';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/gateway.config.js';
import { TRACK_ROUTE } from '../events/raw-track-bodies.js';

/**
 * Gives every route but `POST /v1/events` the body limit `HTTP_MAX_BODY_BYTES` (an alert rule or
 * an admin request is a few KiB), so a client with a valid key cannot make those routes buffer a
 * MiB. Fastify refuses a larger body with `413 body_too_large`, at once when `Content-Length`
 * says so, else after the limit's bytes.
 * NOTE: Nest registers routes after building its providers but before `onModuleInit`, so the
 * hook that sets each route's limit must be added here, in the constructor.
 */
@Injectable()
export class RouteBodyLimits {
  constructor(host: HttpAdapterHost, config: ConfigService<GatewayConfig, true>) {
    const maxBodyBytes = config.get('http.maxBodyBytes', { infer: true });
    const fastify = host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRoute', (route) => {
      route.bodyLimit = route.url === TRACK_ROUTE ? INGEST_LIMITS.maxBodyBytes : maxBodyBytes;
    });
  }
}
