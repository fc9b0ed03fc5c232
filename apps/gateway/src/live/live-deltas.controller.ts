import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { grantOf } from '../auth/request-grants.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { LiveDeltaRelay } from './live-delta.relay.js';

/** `GET /v1/live`: Server-Sent Events of the read key's project's rollup deltas. */
@Controller('v1/live')
@RateLimited('read')
export class LiveDeltasController {
  constructor(private readonly relay: LiveDeltaRelay) {}

  @Get()
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // NOTE: streams are counted per key, so the relay needs the key (its hash), not only the project.
    const grant = grantOf(request);
    if (!grant) throw new Error('GET /v1/live needs @RateLimited(kind) to check its key');
    await this.relay.stream(grant, reply);
  }
}
