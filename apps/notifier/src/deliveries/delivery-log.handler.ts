import { Injectable } from '@nestjs/common';
import { DeliveryLogQuery, QUEUE_GROUPS, SUBJECTS, type DeliveryLogReply } from '@tally/contracts';
import { NatsRequestHandler } from '@tally/nats';
import { DeliveriesRepository } from './deliveries.repository.js';

/** A rule's delivery log with every attempt, for the gateway. */
@Injectable()
export class DeliveryLogHandler {
  constructor(private readonly deliveries: DeliveriesRepository) {}

  @NatsRequestHandler({
    subject: SUBJECTS.alertDeliveries,
    queue: QUEUE_GROUPS.notifier,
    schema: DeliveryLogQuery,
  })
  async handle(query: DeliveryLogQuery): Promise<DeliveryLogReply> {
    const deliveries = await this.deliveries.log(query.projectId, query.ruleId, query.limit);
    return deliveries
      ? { ok: true, deliveries }
      : { ok: false, code: 'not_found', message: `no alert rule ${query.ruleId} in this project` };
  }
}
