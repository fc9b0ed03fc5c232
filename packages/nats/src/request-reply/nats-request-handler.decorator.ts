import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const NATS_REQUEST_HANDLER = Symbol('NATS_REQUEST_HANDLER');

export interface RequestHandlerSpec {
  subject: string;
  /** Queue group: replicas of the same service share the requests. */
  queue: string;
  /** Contract of the request; invalid requests are answered with an error, never handled. */
  schema: z.ZodType;
}

/** Marks a provider method as the handler of core NATS requests on `subject`. */
export const NatsRequestHandler = (spec: RequestHandlerSpec): MethodDecorator =>
  SetMetadata(NATS_REQUEST_HANDLER, spec);
