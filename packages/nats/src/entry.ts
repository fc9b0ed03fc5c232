export { NatsModule, type NatsModuleAsyncOptions } from './nats.module.js';
export type { NatsModuleOptions, ConsumerDefaults } from './nats.options.js';
export { NatsConnection } from './connection/nats-connection.js';
export {
  NATS_SERVER_MINIMUM,
  NATS_SERVER_RELEASE,
  UnsupportedNatsServerError,
} from './connection/server-version.js';
export type { StreamSpec } from './provisioning/stream-spec.js';
export { JetStreamProvisioner } from './provisioning/jetstream-provisioner.js';
export { JetStreamPublisher, type OutgoingMessage } from './publishing/jetstream-publisher.js';
export { NatsRequester } from './request-reply/nats-requester.js';
export { MAX_REPLY_CHUNKS } from './request-reply/reply-chunks.js';
export { NatsRequestHandler } from './request-reply/nats-request-handler.decorator.js';
export { headerFields, type RequestContext } from './request-reply/request-handler.explorer.js';
export {
  ERROR_HEADER,
  ServiceUnavailableError,
  RemoteRequestError,
} from './request-reply/request-errors.js';
export { JetStreamConsumer } from './consuming/jetstream-consumer.decorator.js';
export {
  PoisonMessageError,
  type ConsumedBatch,
  type ConsumedMessage,
} from './consuming/consumed-batch.js';
export {
  PARTITION_OWNERSHIP,
  type PartitionOwnership,
  type PartitionWork,
} from './consuming/partition-ownership.js';
export { DeadLetters, type DeadLetterPart } from './consuming/dead-letters.js';
export { abortableDelay } from './consuming/abortable-delay.js';
export { TRACEPARENT_HEADER, childTraceparent, traceIdOf } from './tracing/traceparent.js';
