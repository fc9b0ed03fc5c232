import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { headers as natsHeaders, type Msg } from '@nats-io/transport-node';
import { NatsConnection } from '../connection/nats-connection.js';
import { DecoratedMethods } from '../discovery/decorated-methods.js';
import { TRACEPARENT_HEADER } from '../tracing/traceparent.js';
import { NATS_REQUEST_HANDLER, type RequestHandlerSpec } from './nats-request-handler.decorator.js';
import { ERROR_HEADER, type RequestErrorKind } from './request-errors.js';
import { ACCEPT_CHUNKS_HEADER, CHUNK_HEADER, replyChunks } from './reply-chunks.js';

export interface RequestContext {
  traceparent?: string;
  /** Size of the request as it arrived, in bytes. */
  bytes: number;
  /** The message's data as it arrived. */
  data: Uint8Array;
  /** A NATS header of the request; `undefined` when absent or empty. */
  header(name: string): string | undefined;
}

type Handler = (request: unknown, context: RequestContext) => Promise<unknown>;

const encoder = new TextEncoder();

/** Subscribes every `@NatsRequestHandler` method with its queue group once the app is up. */
@Injectable()
export class RequestHandlerExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger(RequestHandlerExplorer.name);

  constructor(
    private readonly nats: NatsConnection,
    private readonly methods: DecoratedMethods,
  ) {}

  onApplicationBootstrap(): void {
    for (const { spec, handler } of this.methods.find<RequestHandlerSpec>(NATS_REQUEST_HANDLER)) {
      this.nats.core.subscribe(spec.subject, {
        queue: spec.queue,
        callback: (err, msg) => {
          if (err) this.logger.error({ err, subject: spec.subject }, 'subscription failed');
          else void this.answer(spec, handler, msg);
        },
      });
      this.logger.log({ subject: spec.subject, queue: spec.queue }, 'serving requests');
    }
  }

  private async answer(spec: RequestHandlerSpec, handler: Handler, msg: Msg): Promise<void> {
    const traceparent = msg.headers?.get(TRACEPARENT_HEADER) || undefined;
    let request: unknown;
    try {
      request = spec.schema.parse(spec.headers ? headerFields(msg, spec.headers) : msg.json());
    } catch (err) {
      this.respondError(msg, 'bad-request', err instanceof Error ? err.message : 'invalid JSON');
      return;
    }
    try {
      const header = (name: string) => msg.headers?.get(name) || undefined;
      const context = { traceparent, bytes: msg.data.length, data: msg.data, header };
      const reply = await handler(request, context);
      this.respond(spec, msg, encoder.encode(JSON.stringify(reply)), traceparent);
    } catch (err) {
      this.logger.error({ err, subject: spec.subject, traceparent }, 'request handler failed');
      this.respondError(msg, 'handler-failed', 'the handler failed; see its logs');
    }
  }

  /**
   * NOTE: a reply over the server's `max_payload` would make `respond` throw (and the caller see
   * a handler failure): it goes in parts to a requester that reassembles them, and is refused
   * with its own kind otherwise, so the caller can ask for less.
   */
  private respond(spec: RequestHandlerSpec, msg: Msg, reply: Uint8Array, traceparent?: string) {
    const maxPayload = this.nats.core.info?.max_payload ?? Infinity;
    if (reply.length <= maxPayload) {
      msg.respond(reply);
      return;
    }
    const chunks = msg.headers?.get(ACCEPT_CHUNKS_HEADER)
      ? replyChunks(reply, maxPayload)
      : undefined;
    const context = { subject: spec.subject, traceparent, bytes: reply.length, maxPayload };
    if (chunks === undefined) {
      this.logger.warn(context, 'reply too large for the requester');
      this.respondError(msg, 'reply-too-large', `the reply has ${reply.length} bytes`);
      return;
    }
    this.logger.debug({ ...context, chunks: chunks.length }, 'reply sent in parts');
    chunks.forEach((chunk, i) => {
      const headers = natsHeaders();
      headers.set(CHUNK_HEADER, `${i + 1}/${chunks.length}`);
      msg.respond(chunk, { headers });
    });
  }

  private respondError(msg: Msg, kind: RequestErrorKind, message: string): void {
    const headers = natsHeaders();
    headers.set(ERROR_HEADER, kind);
    msg.respond(JSON.stringify({ error: message }), { headers });
  }
}

/** The fields of a contract that travels in headers (field → header name); absent ones left out. */
export function headerFields(
  msg: Pick<Msg, 'headers'>,
  names: Readonly<Record<string, string>>,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, header] of Object.entries(names)) {
    const value = msg.headers?.get(header);
    if (value) fields[field] = value;
  }
  return fields;
}
