import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IngestReply, SUBJECTS, type IngestRequest, type TrackReply } from '@tally/contracts';
import {
  childTraceparent,
  NatsRequester,
  RemoteRequestError,
  ServiceUnavailableError,
} from '@tally/nats';
import { KeyProject } from '../auth/key-project.decorator.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { eventsInBody } from '../rate-limit/request-cost.js';
import { toEventBatch } from './event-body.js';
import { encodedIngestChunks } from './ingest-chunks.js';

/** `POST /v1/events`: answers 202 only after ingest confirmed durable storage. */
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly requester: NatsRequester,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  @Post()
  @HttpCode(202)
  @RateLimited('write', eventsInBody)
  async track(
    @Body() body: unknown,
    @KeyProject() projectId: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<TrackReply> {
    const batch = toEventBatch(body);
    const request: IngestRequest = {
      requestId: randomUUID(),
      projectId,
      receivedAt: Date.now(),
      sentAt: batch.sentAt,
      firstIndex: 0,
      events: batch.events,
    };
    const trace = childTraceparent(traceparent);
    const maxBytes = this.config.get('ingestChunkBytes', { infer: true });
    const chunks = encodedIngestChunks(request, maxBytes);
    const replies = await Promise.all(chunks.map((chunk) => this.send(chunk, trace)));
    const response: TrackReply = { accepted: 0, rejected: [] };
    for (const reply of replies) {
      // NOTE: a retry of the whole request is safe: chunks that were stored dedupe by Nats-Msg-Id.
      if (!reply.stored) throw this.unavailable(reply.reason);
      response.accepted += reply.accepted;
      response.rejected.push(...reply.rejected);
    }
    return response;
  }

  private async send(chunk: string, traceparent: string): Promise<IngestReply> {
    try {
      return await this.requester.requestEncoded(SUBJECTS.ingestBatch, chunk, IngestReply, {
        timeoutMs: this.config.get('timeouts.ingestMs', { infer: true }),
        traceparent,
      });
    } catch (err) {
      if (err instanceof ServiceUnavailableError) throw this.unavailable('ingest did not answer');
      // NOTE: ingest failed before confirming storage; a retry is safe (stored chunks dedupe).
      if (err instanceof RemoteRequestError && err.kind === 'handler-failed') {
        throw this.unavailable('ingest failed');
      }
      throw err;
    }
  }

  private unavailable(reason: string): ApiError {
    const retryAfter = String(this.config.get('retryAfterSeconds', { infer: true }));
    return new ApiError(503, 'not_stored', `${reason}; nothing was stored, retry`, undefined, {
      'Retry-After': retryAfter,
    });
  }
}
