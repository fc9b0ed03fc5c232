import { Injectable } from '@nestjs/common';
import { AlertRuleRequest, QUEUE_GROUPS, SUBJECTS, type AlertRuleReply } from '@tally/contracts';
import { NatsRequestHandler } from '@tally/nats';
import { AlertRulesService } from './alert-rules.service.js';

/** Rule CRUD for the gateway, over NATS request/reply (replicas share it by queue group). */
@Injectable()
export class AlertRulesHandler {
  constructor(private readonly service: AlertRulesService) {}

  @NatsRequestHandler({
    subject: SUBJECTS.alertRules,
    queue: QUEUE_GROUPS.notifier,
    schema: AlertRuleRequest,
  })
  handle(request: AlertRuleRequest): Promise<AlertRuleReply> {
    return this.service.handle(request);
  }
}
