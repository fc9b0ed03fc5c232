import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryLogHandler } from './delivery-log.handler.js';
import { DeliveryWorkerService } from './delivery-worker.service.js';

@Module({
  imports: [DatabaseModule, WebhooksModule],
  providers: [DeliveriesRepository, DeliveryWorkerService, DeliveryLogHandler],
})
export class DeliveriesModule {}
