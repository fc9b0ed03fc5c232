import { Injectable } from '@nestjs/common';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { z } from 'zod';
import { NatsConnection } from '../connection/nats-connection.js';
import { TRACEPARENT_HEADER } from '../tracing/traceparent.js';
import { firstOfHedgedAttempts } from './hedged-attempts.js';
import { requestAssembled, type ReplyMessage } from './reply-chunks.js';
import {
  ERROR_HEADER,
  RemoteRequestError,
  ServiceUnavailableError,
  type RequestErrorKind,
} from './request-errors.js';

export interface RequestOptions {
  timeoutMs: number;
  traceparent?: string;
  /** NATS headers to send along (a contract's header fields, say). */
  headers?: Readonly<Record<string, string>>;
  /**
   * For read-only requests: after this long without a reply, send the request again alongside
   * the first (the queue group may route it to another member), until `timeoutMs` is spent.
   */
  retry?: { attemptTimeoutMs: number; onAttemptTimeout?: (attempt: number) => void };
  /** Accept a reply too large for one message, sent in parts (a long series, say). */
  largeReply?: boolean;
}

const decoder = new TextDecoder();

/** Sends a contract-typed request over core NATS and validates the reply against its contract. */
@Injectable()
export class NatsRequester {
  constructor(private readonly nats: NatsConnection) {}

  request<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    replySchema: S,
    options: RequestOptions,
  ): Promise<z.infer<S>> {
    return this.requestEncoded(subject, JSON.stringify(payload), replySchema, options);
  }

  /** The same, for a payload the caller already encoded (a client's body passed on, say). */
  async requestEncoded<S extends z.ZodType>(
    subject: string,
    payload: string | Uint8Array,
    replySchema: S,
    options: RequestOptions,
  ): Promise<z.infer<S>> {
    const headers = natsHeaders();
    if (options.traceparent) headers.set(TRACEPARENT_HEADER, options.traceparent);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    const send = (timeout: number): Promise<ReplyMessage> =>
      options.largeReply
        ? requestAssembled(this.nats.core, subject, payload, { timeout, headers })
        : this.nats.core.request(subject, payload, { timeout, headers });
    const { retry } = options;
    let reply: ReplyMessage;
    try {
      reply = retry
        ? await firstOfHedgedAttempts(send, {
            totalMs: options.timeoutMs,
            attemptMs: retry.attemptTimeoutMs,
            onAttemptTimeout: retry.onAttemptTimeout,
          })
        : await send(options.timeoutMs);
    } catch (err) {
      throw new ServiceUnavailableError(subject, err);
    }
    const text = decoder.decode(reply.data);
    const errorKind = reply.headers?.get(ERROR_HEADER);
    if (errorKind) throw new RemoteRequestError(errorKind as RequestErrorKind, text);
    return replySchema.parse(JSON.parse(text));
  }
}
