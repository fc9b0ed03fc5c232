import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ConnectionLimits } from './connection-limits.js';
import { EncodedBodies } from './encoded-bodies.js';
import { RequestCharactersMiddleware } from './request-characters.middleware.js';
import { RouteBodyLimits } from './route-body-limits.js';
import { ShuttingDown } from './shutting-down.js';

/**
 * The connection cap and its metrics, compressed bodies, each route's body limit, the answer
 * while shutting down, and the control-character check of every request.
 */
@Module({ providers: [ConnectionLimits, EncodedBodies, RouteBodyLimits, ShuttingDown] })
export class HttpEdgeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestCharactersMiddleware).forRoutes('*path');
  }
}
