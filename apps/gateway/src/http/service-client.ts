import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JetStreamError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import {
  childTraceparent,
  NatsConnection,
  NatsRequester,
  ServiceUnavailableError,
} from '@tally/nats';
import { Counter } from 'prom-client';
import type { z } from 'zod';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from './api-error.js';

export interface ServiceCall<R = unknown> {
  /** Error code of the 503 when the service does not answer, e.g. `query_unavailable`. */
  unavailableCode: string;
  /** What the service is, for the error message: "query service". */
  service: string;
  traceparent?: string;
  /**
   * Read-only requests (queries) may be sent again while the first attempt waits: a queue group
   * member that stopped answering (GC pause, SIGSTOP) then costs one attempt, not the request.
   */
  readOnly?: boolean;
  /** The reply may be larger than one NATS message (a long series): it comes in parts. */
  largeReply?: boolean;
  /** NATS headers sent with every attempt (a contract's header fields, say). */
  headers?: Readonly<Record<string, string>>;
  /**
   * For read-only requests: whether a reply is the answer. A reply that is not (a refusal) from a
   * later attempt never wins while an earlier attempt is still pending.
   */
  isAnswer?: (reply: R) => boolean;
}

const attemptTimeouts = new Counter({
  name: 'tally_gateway_request_attempt_timeouts_total',
  help: 'Attempts of read-only requests to a service that had no reply in time and were sent again',
  labelNames: ['subject'] as const,
});

/** Failures of NATS itself (down, reconnecting, no JetStream answer), not of our request. */
const NATS_FAILURES = [
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  JetStreamError,
];

/**
 * Request/reply from the gateway to a service behind it, and the gateway's own NATS work (KV
 * writes, stream reads). When NATS or the service does not answer in time, the caller gets
 * `503` with `Retry-After`, the same for every endpoint.
 */
@Injectable()
export class ServiceClient {
  private readonly logger = new Logger(ServiceClient.name);

  constructor(
    private readonly requester: NatsRequester,
    private readonly connection: NatsConnection,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  async request<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    schema: S,
    call: ServiceCall<z.infer<S>>,
  ): Promise<z.infer<S>> {
    const traceparent = childTraceparent(call.traceparent);
    const retry = call.readOnly
      ? { ...this.retry(subject, traceparent), isAnswer: call.isAnswer }
      : undefined;
    try {
      return await this.requester.request(subject, payload, schema, {
        timeoutMs: this.config.get('timeouts.queryMs', { infer: true }),
        traceparent,
        headers: call.headers,
        retry,
        largeReply: call.largeReply,
      });
    } catch (err) {
      if (!(err instanceof ServiceUnavailableError)) throw err;
      throw this.unavailable(call);
    }
  }

  private retry(subject: string, traceparent: string) {
    const attemptTimeoutMs = this.config.get('queries.attemptTimeoutMs', { infer: true });
    const onAttemptTimeout = (attempt: number) => {
      attemptTimeouts.inc({ subject });
      this.logger.warn(
        { subject, attempt, attemptTimeoutMs, traceparent },
        'no reply in time; asking again, another member may answer',
      );
    };
    return { attemptTimeoutMs, onAttemptTimeout };
  }

  /**
   * Runs `work` against NATS (KV, JetStream). While the connection is down it answers 503 at
   * once instead of waiting for the client's buffered request to time out.
   */
  async natsWork<T>(work: () => Promise<T>, call: ServiceCall): Promise<T> {
    if (!this.connection.isConnected()) throw this.unavailable(call);
    try {
      return await work();
    } catch (err) {
      if (NATS_FAILURES.some((failure) => err instanceof failure)) throw this.unavailable(call);
      throw err;
    }
  }

  private unavailable(call: Pick<ServiceCall, 'unavailableCode' | 'service'>): ApiError {
    const retryAfter = String(this.config.get('retryAfterSeconds', { infer: true }));
    return new ApiError(
      503,
      call.unavailableCode,
      `the ${call.service} did not answer`,
      undefined,
      {
        'Retry-After': retryAfter,
      },
    );
  }
}
