import { Injectable, Logger } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { DEAD_LETTER_HEADERS, SUBJECTS } from '@tally/contracts';
import { JetStreamPublisher } from '../publishing/jetstream-publisher.js';

/** Where a dead-lettered message, or part of one, came from. */
export interface DeadLetterSource {
  stream: string;
  consumer: string;
  streamSequence: number;
  deliveryCount: number;
}

/** One part (e.g. one event) of a stored message that could not be applied while the rest was. */
export interface DeadLetterPart extends DeadLetterSource {
  /** The part's index within the stored message: with the sequence, its deterministic id. */
  index: number;
  data: Uint8Array;
}

/**
 * Copies what cannot be processed, with the reason, to the dead-letter stream, so it is visible
 * later: a whole message (then terminated, never redelivered), or one part of a message.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(private readonly publisher: JetStreamPublisher) {}

  async record(msg: JsMsg, reason: string): Promise<void> {
    const { stream, consumer, streamSequence, deliveryCount } = msg.info;
    const source = { stream, consumer, streamSequence, deliveryCount };
    await this.publisher.publish({
      subject: SUBJECTS.dead(stream, consumer),
      data: msg.data,
      msgId: `dead:${stream}:${streamSequence}`,
      headers: deadLetterHeaders(source, reason),
    });
    msg.term();
    this.logger.warn({ stream, consumer, seq: streamSequence, reason }, 'message dead-lettered');
  }

  /**
   * Records parts of messages and leaves the messages to their caller. A part's id is the same
   * on every try, so a part published again (the caller's transaction failed after publishing,
   * the message came back) is stored once within the stream's duplicate window.
   */
  async recordParts(parts: readonly { part: DeadLetterPart; reason: string }[]): Promise<void> {
    await this.publisher.publishAll(
      parts.map(({ part, reason }) => {
        const headers = deadLetterHeaders(part, reason);
        headers.set(DEAD_LETTER_HEADERS.eventIndex, String(part.index));
        const { stream, consumer, streamSequence, index } = part;
        return {
          subject: SUBJECTS.dead(stream, consumer),
          data: part.data,
          msgId: `dead:${stream}:${streamSequence}:${index}`,
          headers,
        };
      }),
    );
    if (parts.length === 0) return;
    // NOTE: one line per call, naming the first few parts: a flood of bad events is no log flood.
    const named = parts.slice(0, 10).map(({ part, reason }) => ({
      stream: part.stream,
      consumer: part.consumer,
      seq: part.streamSequence,
      index: part.index,
      reason,
    }));
    this.logger.warn({ count: parts.length, parts: named }, 'parts of messages dead-lettered');
  }
}

function deadLetterHeaders(source: DeadLetterSource, reason: string): MsgHdrs {
  const headers = natsHeaders();
  // NOTE: a header value cannot hold a line break; database errors can.
  headers.set(DEAD_LETTER_HEADERS.reason, reason.replace(/[\r\n]+/g, ' ').slice(0, 1024));
  headers.set(DEAD_LETTER_HEADERS.stream, source.stream);
  headers.set(DEAD_LETTER_HEADERS.consumer, source.consumer);
  headers.set(DEAD_LETTER_HEADERS.streamSequence, String(source.streamSequence));
  headers.set(DEAD_LETTER_HEADERS.deliveries, String(source.deliveryCount));
  return headers;
}
