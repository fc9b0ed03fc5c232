import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AlertRulesHandler } from './alert-rules.handler.js';
import { AlertRulesRepository } from './alert-rules.repository.js';
import { AlertRulesService } from './alert-rules.service.js';

@Module({
  imports: [DatabaseModule, WebhooksModule],
  providers: [AlertRulesRepository, AlertRulesService, AlertRulesHandler],
})
export class AlertsModule {}
