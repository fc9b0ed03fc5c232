import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { JsonBodiesMiddleware } from './json-bodies.middleware.js';

/** Applies `JsonBodiesMiddleware` to every `/v1` route. */
@Module({})
export class JsonBodiesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodiesMiddleware).forRoutes('v1/*path');
  }
}
