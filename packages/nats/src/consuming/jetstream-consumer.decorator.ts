import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const JETSTREAM_CONSUMER = Symbol('JETSTREAM_CONSUMER');

export interface JetStreamConsumerSpec {
  stream: string;
  /** Durable name; partitioned consumers get one durable per partition, `<durable>-p<n>`. */
  durable: string;
  /** Filter subject, or per partition for partitioned consumers. */
  subject: string | ((partition: number) => string);
  /** Contract of each message; one that does not match is dead-lettered at once. */
  schema: z.ZodType;
  /**
   * Ordered consumers never skip ahead: a failing batch is retried in place (in order) until it
   * succeeds or is dead-lettered, instead of being nak'ed and overtaken by later messages.
   */
  ordered: boolean;
  /** Errors for which retrying may help; other errors count towards dead-lettering. */
  isTransient?: (err: unknown) => boolean;
}

/**
 * Marks a provider method as the handler of a durable JetStream pull consumer. The method gets a
 * `ConsumedBatch` and must throw when the batch was not applied; it is acked only on success.
 */
export const JetStreamConsumer = (spec: JetStreamConsumerSpec): MethodDecorator =>
  SetMetadata(JETSTREAM_CONSUMER, spec);
