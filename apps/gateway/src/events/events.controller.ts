import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Logger, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { INGEST_REQUEST_HEADERS, IngestReply, SUBJECTS, type TrackReply } from '@tally/contracts';
import {
  childTraceparent,
  NatsRequester,
  RemoteRequestError,
  ServiceUnavailableError,
} from '@tally/nats';
import { KeyProject } from '../auth/key-project.decorator.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError, invalidBody } from '../http/api-error.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { TRACKED_EVENTS } from '../rate-limit/request-cost.js';
import { ingestSlices, type IngestSlice } from './ingest-slices.js';
import { TRACK_ROUTE } from './raw-track-bodies.js';

const H = INGEST_REQUEST_HEADERS;

/**
 * `POST /v1/events`: passes the body on to ingest as it came (see `RawTrackBodies`) and answers
 * 202 only after ingest confirmed durable storage.
 */
@Controller(TRACK_ROUTE)
export class EventsController {
  private readonly logger = new Logger(EventsController.name);

  constructor(
    private readonly requester: NatsRequester,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  @Post()
  @HttpCode(202)
  @RateLimited('write', TRACKED_EVENTS)
  async track(
    @Body() body: Uint8Array | undefined,
    @KeyProject() projectId: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<TrackReply> {
    const headers = {
      [H.projectId]: projectId,
      [H.requestId]: randomUUID(),
      [H.receivedAt]: String(Date.now()),
    };
    const trace = childTraceparent(traceparent);
    const slices = ingestSlices(body, this.config.get('ingestChunkBytes', { infer: true }));
    const replies = await Promise.all(slices.map((slice) => this.send(slice, headers, trace)));
    const response: TrackReply = { accepted: 0, rejected: [] };
    for (const reply of replies) {
      if (!reply.stored) throw this.notStored(reply);
      response.accepted += reply.accepted;
      response.rejected.push(...reply.rejected);
    }
    return response;
  }

  private async send(
    slice: IngestSlice,
    headers: Record<string, string>,
    traceparent: string,
  ): Promise<IngestReply> {
    try {
      return await this.requester.requestEncoded(SUBJECTS.ingestBatch, slice.data, IngestReply, {
        timeoutMs: this.config.get('timeouts.ingestMs', { infer: true }),
        traceparent,
        headers: { ...headers, [H.firstIndex]: String(slice.firstIndex) },
      });
    } catch (err) {
      if (err instanceof ServiceUnavailableError) throw this.unavailable('ingest did not answer');
      // NOTE: nothing was stored, so a retry is safe: ingest failed, or could not read the
      // request (a gateway and an ingest of different contract versions, during an upgrade).
      if (err instanceof RemoteRequestError) {
        this.logger.error(
          { err, requestId: headers[H.requestId] },
          'ingest answered with an error',
        );
        throw this.unavailable(err.kind === 'handler-failed' ? 'ingest failed' : 'ingest refused');
      }
      throw err;
    }
  }

  private notStored(reply: Extract<IngestReply, { stored: false }>): ApiError {
    return reply.invalidBody ? invalidBody(reply.invalidBody) : this.unavailable(reply.reason);
  }

  private unavailable(reason: string): ApiError {
    const retryAfter = String(this.config.get('retryAfterSeconds', { infer: true }));
    return new ApiError(503, 'not_stored', `${reason}; nothing was stored, retry`, undefined, {
      'Retry-After': retryAfter,
    });
  }
}
