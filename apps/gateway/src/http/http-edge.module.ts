import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ConnectionLimits } from './connection-limits.js';
import { RequestCharactersMiddleware } from './request-characters.middleware.js';

/** The connection cap and its metrics, and the control-character check of every request. */
@Module({ providers: [ConnectionLimits] })
export class HttpEdgeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestCharactersMiddleware).forRoutes('*path');
  }
}
