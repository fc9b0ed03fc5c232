import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller.js';

/** `/v1/alerts` (ApiKeys comes from the global ProjectsModule, NatsRequester from NatsModule). */
@Module({ controllers: [AlertsController] })
export class AlertsModule {}
