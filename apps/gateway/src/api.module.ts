import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { EventsController } from './events/events.controller.js';
import { MetricsApiController } from './metrics-api/metrics-api.controller.js';
import { ProjectsModule } from './projects/projects.module.js';

@Module({
  imports: [ProjectsModule, AdminModule],
  controllers: [EventsController, MetricsApiController],
})
export class ApiModule {}
