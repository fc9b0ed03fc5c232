import type { StreamSpec } from './provisioning/stream-spec.js';

export interface ConsumerDefaults {
  /** Messages fetched per pull request. */
  batchSize: number;
  /**
   * Unordered consumers: deliveries before a failing message is dead-lettered (each transient
   * failure is a nak, so a redelivery). Ordered consumers do not count deliveries: see maxCrashes.
   */
  maxDeliver: number;
  /**
   * Ordered consumers: how often a process may die while handling one message alone before that
   * message is dead-lettered (the crash-loop guard; redeliveries after a stop or a lost lease,
   * which hand messages back unhandled, do not count).
   */
  maxCrashes: number;
  /** JetStream replicas of the bucket of handling marks (ordered consumers), as of the streams. */
  handlingReplicas: number;
  ackWaitMs: number;
  /** Upper bound of the retry backoff between attempts. */
  maxBackoffMs: number;
  /**
   * How long a batch that is not yet full waits for more messages before it is handled: fewer,
   * larger batches cost less per message, at up to this much added latency.
   */
  lingerMs: number;
}

export interface NatsModuleOptions {
  servers: string[];
  /** Connection name, visible in the server's monitoring endpoints. */
  name: string;
  /** Streams this app provisions (idempotently) at start. */
  streams?: StreamSpec[];
  consumers?: Partial<ConsumerDefaults>;
  /** Number of partitions of partitioned consumers (must match the producers'). */
  partitions?: number;
}

export const NATS_OPTIONS = Symbol('NATS_OPTIONS');

export const DEFAULT_CONSUMER_OPTIONS: ConsumerDefaults = {
  batchSize: 256,
  maxDeliver: 5,
  maxCrashes: 3,
  handlingReplicas: 1,
  ackWaitMs: 30_000,
  maxBackoffMs: 5_000,
  lingerMs: 0,
};
