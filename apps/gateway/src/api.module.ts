import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiDocsModule } from './api-docs/api-docs.module.js';
import { EventsController } from './events/events.controller.js';
import { RawTrackBodies } from './events/raw-track-bodies.js';
import { HttpEdgeModule } from './http/http-edge.module.js';
import { JsonBodiesModule } from './http/json-bodies.module.js';
import { ServiceClientModule } from './http/service-client.module.js';
import { LiveModule } from './live/live.module.js';
import { MetricsApiController } from './metrics-api/metrics-api.controller.js';
import { ProjectsModule } from './projects/projects.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RejectedModule } from './rejected/rejected.module.js';

@Module({
  imports: [
    HttpEdgeModule,
    ProjectsModule,
    RateLimitModule,
    AdminModule,
    RejectedModule,
    LiveModule,
    AlertsModule,
    ServiceClientModule,
    JsonBodiesModule,
    ApiDocsModule,
  ],
  controllers: [EventsController, MetricsApiController],
  providers: [RawTrackBodies],
})
export class ApiModule {}
