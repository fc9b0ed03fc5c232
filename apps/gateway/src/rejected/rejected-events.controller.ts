import { Controller, Get, Headers, Query } from '@nestjs/common';
import { RejectedEventsParams, type RejectedEventsReply } from '@tally/contracts';
import { ApiKeys } from '../auth/api-keys.js';
import { ServiceClient } from '../http/service-client.js';
import { INVALID_QUERY, validated } from '../http/validated.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { RejectedEventsReader } from './rejected-events.reader.js';

/** `GET /v1/rejected`: the read key's project's newest rejected events, with reasons. */
@Controller('v1/rejected')
@RateLimited('read')
export class RejectedEventsController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reader: RejectedEventsReader,
    private readonly services: ServiceClient,
  ) {}

  @Get()
  async list(
    @Query() params: Record<string, string>,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<RejectedEventsReply> {
    const projectId = this.keys.projectFor(authorization, 'read');
    const { limit } = validated(RejectedEventsParams, params, INVALID_QUERY);
    const stored = await this.services.natsWork(() => this.reader.newest(projectId, limit), {
      unavailableCode: 'rejected_unavailable',
      service: 'rejected-events stream (NATS JetStream)',
    });
    return {
      rejected: stored.map(({ seq, event }) => ({
        seq,
        receivedAt: new Date(event.receivedAt).toISOString(),
        requestId: event.requestId,
        index: event.index,
        errors: event.errors,
        excerpt: event.excerpt,
      })),
    };
  }
}
