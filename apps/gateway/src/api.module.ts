import { Module } from '@nestjs/common';
import { ApiKeys } from './auth/api-keys.js';
import { EventsController } from './events/events.controller.js';
import { MetricsApiController } from './metrics-api/metrics-api.controller.js';

@Module({
  controllers: [EventsController, MetricsApiController],
  providers: [ApiKeys],
})
export class ApiModule {}
