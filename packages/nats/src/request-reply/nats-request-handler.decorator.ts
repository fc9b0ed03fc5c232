import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const NATS_REQUEST_HANDLER = Symbol('NATS_REQUEST_HANDLER');

export interface RequestHandlerSpec {
  subject: string;
  /** Queue group: replicas of the same service share the requests. */
  queue: string;
  /** Contract of the request; invalid requests are answered with an error, never handled. */
  schema: z.ZodType;
  /**
   * Where the contract's fields travel: by default the message is the JSON request; with this
   * map (field → header name) they are NATS headers, and the handler gets the message's bytes
   * unparsed as `context.data` (a client's body passed on as it came, say).
   */
  headers?: Readonly<Record<string, string>>;
}

/** Marks a provider method as the handler of core NATS requests on `subject`. */
export const NatsRequestHandler = (spec: RequestHandlerSpec): MethodDecorator =>
  SetMetadata(NATS_REQUEST_HANDLER, spec);
