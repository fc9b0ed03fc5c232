import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { INGEST_LIMITS } from '@tally/contracts';
import type { GatewayConfig } from '../config/gateway.config.js';
import { clientErrorHandler, frameworkError, MAX_PARAM_LENGTH } from './client-errors.js';

type FastifyOptions = NonNullable<ConstructorParameters<typeof FastifyAdapter>[0]>;

/**
 * The gateway's Fastify and Node HTTP server options: its timeouts, and every error that is
 * answered before a route runs in the API's error shape. `main.ts` and the test harness both
 * start the gateway with these.
 */
export function gatewayServerOptions(http: GatewayConfig['http']): FastifyOptions {
  return {
    bodyLimit: INGEST_LIMITS.maxBodyBytes,
    // NOTE: Fastify's own 503 while closing is not the API's error shape; `ShuttingDown` answers.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Whole request (headers and body) received, and socket silence, at any time.
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      // NOTE: Node checks the header and request timeouts on this interval (30 s by default),
      // so a connection outlives its timeout by up to one interval.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(http.headersTimeoutMs / 2)),
    },
    clientErrorHandler,
    frameworkErrors: (err, _request, reply) => {
      const error = frameworkError(err.code);
      // NOTE: typed for any route's reply schema; this reply has none.
      void (reply as FastifyReply).code(error.getStatus()).send(error.getResponse());
    },
  };
}
