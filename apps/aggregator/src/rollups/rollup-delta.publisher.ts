import { Injectable, Logger } from '@nestjs/common';
import { SUBJECTS, type RollupDelta } from '@tally/contracts';
import { JetStreamPublisher, NatsConnection } from '@tally/nats';

/**
 * Publishes what a committed batch changed: on a core subject for live views, and durably for
 * the notifier. A failure here is logged, not retried by the consumer: the rollups are already
 * committed and must not be applied twice.
 */
@Injectable()
export class RollupDeltaPublisher {
  private readonly logger = new Logger(RollupDeltaPublisher.name);

  constructor(
    private readonly nats: NatsConnection,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async publish(deltas: RollupDelta[]): Promise<void> {
    const messages = deltas.map((delta) => {
      const data = new TextEncoder().encode(JSON.stringify(delta));
      this.nats.core.publish(SUBJECTS.live(delta.projectId), data);
      return {
        subject: SUBJECTS.rollups(delta.projectId),
        data,
        msgId: `rollup:${delta.projectId}:${delta.partition}:${delta.seq}`,
      };
    });
    try {
      await this.publisher.publishAll(messages);
    } catch (err) {
      this.logger.error({ err, count: messages.length }, 'rollup deltas not published');
    }
  }
}
