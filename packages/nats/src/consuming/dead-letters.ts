import { Injectable, Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DEAD_LETTER_HEADERS, SUBJECTS } from '@tally/contracts';
import { JetStreamPublisher } from '../publishing/jetstream-publisher.js';

/**
 * Copies a message that cannot be processed, with the reason, to the dead-letter stream and
 * terminates it, so it is visible later and never redelivered.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(private readonly publisher: JetStreamPublisher) {}

  async record(msg: JsMsg, reason: string): Promise<void> {
    const { stream, consumer, streamSequence, deliveryCount } = msg.info;
    const headers = natsHeaders();
    headers.set(DEAD_LETTER_HEADERS.reason, reason.slice(0, 1024));
    headers.set(DEAD_LETTER_HEADERS.stream, stream);
    headers.set(DEAD_LETTER_HEADERS.consumer, consumer);
    headers.set(DEAD_LETTER_HEADERS.streamSequence, String(streamSequence));
    headers.set(DEAD_LETTER_HEADERS.deliveries, String(deliveryCount));
    await this.publisher.publish({
      subject: SUBJECTS.dead(stream, consumer),
      data: msg.data,
      msgId: `dead:${stream}:${streamSequence}`,
      headers,
    });
    msg.term();
    this.logger.warn({ stream, consumer, seq: streamSequence, reason }, 'message dead-lettered');
  }
}
