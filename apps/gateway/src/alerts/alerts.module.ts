import { Module } from '@nestjs/common';
import { ServiceClientModule } from '../http/service-client.module.js';
import { AlertsController } from './alerts.controller.js';

/** `/v1/alerts`: rule CRUD and delivery log, answered by the notifier over NATS. */
@Module({ imports: [ServiceClientModule], controllers: [AlertsController] })
export class AlertsModule {}
