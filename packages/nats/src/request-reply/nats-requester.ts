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

/** Sending a read-only request again while earlier attempts wait (see `firstOfHedgedAttempts`). */
export interface RetryOptions<R> {
  attemptTimeoutMs: number;
  onAttemptTimeout?: (attempt: number) => void;
  /**
   * Whether a reply is the answer (any reply when absent); one that is not (a refusal) never cuts
   * short an earlier attempt that is still pending.
   */
  isAnswer?: (reply: R) => boolean;
}

export interface RequestOptions<R = unknown> {
  timeoutMs: number;
  traceparent?: string;
  /** NATS headers to send along (a contract's header fields, say). */
  headers?: Readonly<Record<string, string>>;
  /**
   * For read-only requests: after `attemptTimeoutMs` without an answer, send the request again
   * alongside the first (the queue group may route it to another member), until `timeoutMs` is
   * spent. Every attempt carries the same headers, so an id header lets a member recognise the
   * attempts of one request.
   */
  retry?: RetryOptions<R>;
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
    options: RequestOptions<z.infer<S>>,
  ): Promise<z.infer<S>> {
    return this.requestEncoded(subject, JSON.stringify(payload), replySchema, options);
  }

  /** The same, for a payload the caller already encoded (a client's body passed on, say). */
  async requestEncoded<S extends z.ZodType>(
    subject: string,
    payload: string | Uint8Array,
    replySchema: S,
    options: RequestOptions<z.infer<S>>,
  ): Promise<z.infer<S>> {
    const headers = natsHeaders();
    if (options.traceparent) headers.set(TRACEPARENT_HEADER, options.traceparent);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    const send = (timeout: number): Promise<ReplyMessage> =>
      options.largeReply
        ? requestAssembled(this.nats.core, subject, payload, { timeout, headers })
        : this.nats.core.request(subject, payload, { timeout, headers });
    const attempt = (timeout: number): Promise<z.infer<S>> =>
      send(timeout).then(
        (reply) => decodeReply(reply, replySchema),
        (err: unknown) => {
          throw new ServiceUnavailableError(subject, err);
        },
      );
    const { retry } = options;
    if (!retry) return attempt(options.timeoutMs);
    return firstOfHedgedAttempts(attempt, {
      totalMs: options.timeoutMs,
      attemptMs: retry.attemptTimeoutMs,
      onAttemptTimeout: retry.onAttemptTimeout,
      isAnswer: retry.isAnswer,
    });
  }
}

/** The contract's reply, or the error the peer answered instead. */
function decodeReply<S extends z.ZodType>(reply: ReplyMessage, replySchema: S): z.infer<S> {
  const text = decoder.decode(reply.data);
  const errorKind = reply.headers?.get(ERROR_HEADER);
  if (errorKind) throw new RemoteRequestError(errorKind as RequestErrorKind, text);
  return replySchema.parse(JSON.parse(text));
}
