import { Injectable, Logger } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NatsConnection } from '../connection/nats-connection.js';
import type { StreamSpec } from './stream-spec.js';

export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
}

/**
 * Creates streams and durable consumers, or updates them to the wanted config. Safe to run from
 * every replica at every start.
 */
@Injectable()
export class JetStreamProvisioner {
  private readonly logger = new Logger(JetStreamProvisioner.name);

  constructor(private readonly nats: NatsConnection) {}

  async ensureStreams(specs: readonly StreamSpec[]): Promise<void> {
    for (const spec of specs) await this.ensureStream(spec);
  }

  async ensureStream(spec: StreamSpec): Promise<void> {
    const jsm = await this.nats.manager();
    const config: Partial<StreamConfig> & { name: string } = {
      name: spec.name,
      subjects: [...spec.subjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(spec.maxAgeMs ?? 0),
      duplicate_window: nanos(spec.duplicateWindowMs ?? 120_000),
      num_replicas: spec.replicas ?? 1,
    };
    try {
      await jsm.streams.info(spec.name);
      await jsm.streams.update(spec.name, config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
      this.logger.log({ stream: spec.name }, 'created stream');
    }
  }

  async ensureConsumer(spec: DurableConsumerSpec): Promise<void> {
    const jsm = await this.nats.manager();
    const config = consumerConfig(spec);
    try {
      await jsm.consumers.info(spec.stream, spec.durable);
      // NOTE: only the settings a server lets us change; where to start delivering (deliver
      // policy, start sequence) is fixed when a consumer is created and must not be resent.
      await jsm.consumers.update(spec.stream, spec.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
        max_deliver: config.max_deliver,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.consumers.add(spec.stream, config);
      this.logger.log({ stream: spec.stream, consumer: spec.durable }, 'created consumer');
    }
  }
}

function consumerConfig(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    // NOTE: the runner counts deliveries and dead-letters itself; the server must not drop.
    max_deliver: -1,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
  };
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamNotFound ||
      err.code === JetStreamApiCodes.ConsumerNotFound)
  );
}
