import { Controller, Get, Query } from '@nestjs/common';
import { RejectedEventsParams, type RejectedEventsReply } from '@tally/contracts';
import { KeyProject } from '../auth/key-project.decorator.js';
import { ServiceClient } from '../http/service-client.js';
import { INVALID_QUERY, validated } from '../http/validated.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { RejectedEventsReader } from './rejected-events.reader.js';

/** `GET /v1/rejected`: the read key's project's newest rejected events, with reasons. */
@Controller('v1/rejected')
@RateLimited('read')
export class RejectedEventsController {
  constructor(
    private readonly reader: RejectedEventsReader,
    private readonly services: ServiceClient,
  ) {}

  @Get()
  async list(
    @Query() params: Record<string, string>,
    @KeyProject() projectId: string,
  ): Promise<RejectedEventsReply> {
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
