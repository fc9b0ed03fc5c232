import { Module } from '@nestjs/common';
import { ServiceClientModule } from '../http/service-client.module.js';
import { AlertsController } from './alerts.controller.js';

/** `/v1/alerts` (ApiKeys comes from the global ProjectsModule). */
@Module({ imports: [ServiceClientModule], controllers: [AlertsController] })
export class AlertsModule {}
