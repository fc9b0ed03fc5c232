import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeys } from '../auth/api-keys.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { LiveDeltaRelay } from './live-delta.relay.js';

/** `GET /v1/live`: Server-Sent Events of the read key's project's rollup deltas. */
@Controller('v1/live')
@RateLimited('read')
export class LiveDeltasController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly relay: LiveDeltaRelay,
  ) {}

  @Get()
  stream(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    // Key errors are thrown before the response is hijacked, so they get the usual error body.
    const projectId = this.keys.projectFor(authorization, 'read');
    this.relay.stream(projectId, reply);
  }
}
