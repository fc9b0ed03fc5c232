import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { childTraceparent, NatsRequester, ServiceUnavailableError } from '@tally/nats';
import type { z } from 'zod';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from './api-error.js';

export interface ServiceCall {
  /** Error code of the 503 when the service does not answer, e.g. `query_unavailable`. */
  unavailableCode: string;
  /** What the service is, for the error message: "query service". */
  service: string;
  traceparent?: string;
}

/**
 * Request/reply from the gateway to a service behind it. A service that does not answer in
 * time becomes `503` with `Retry-After`, the same for every endpoint.
 */
@Injectable()
export class ServiceClient {
  constructor(
    private readonly requester: NatsRequester,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  async request<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    schema: S,
    call: ServiceCall,
  ): Promise<z.infer<S>> {
    try {
      return await this.requester.request(subject, payload, schema, {
        timeoutMs: this.config.get('timeouts.queryMs', { infer: true }),
        traceparent: childTraceparent(call.traceparent),
      });
    } catch (err) {
      if (!(err instanceof ServiceUnavailableError)) throw err;
      const retryAfter = String(this.config.get('retryAfterSeconds', { infer: true }));
      throw new ApiError(
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
}
